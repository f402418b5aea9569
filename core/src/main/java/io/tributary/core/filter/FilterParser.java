package io.tributary.core.filter;

import io.tributary.types.ConfigException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A recursive-descent parser of {@link Filter#parse}'s syntax: {@code or > and > condition | ( or )}. */
final class FilterParser {
    private final String text;
    private int pos;

    FilterParser(String text) {
        this.text = text == null ? "" : text;
    }

    Filter parse() {
        skipSpace();
        if (pos == text.length()) {
            throw error("is empty");
        }
        Filter f = or();
        skipSpace();
        if (pos < text.length()) {
            throw error("has unexpected text at position " + (pos + 1) + ": '" + text.substring(pos) + "'");
        }
        return f;
    }

    private Filter or() {
        List<Filter> parts = new ArrayList<>(List.of(and()));
        while (keyword("or")) {
            parts.add(and());
        }
        return parts.size() == 1 ? parts.get(0) : new Filter.Or(parts);
    }

    private Filter and() {
        List<Filter> parts = new ArrayList<>(List.of(primary()));
        while (keyword("and")) {
            parts.add(primary());
        }
        return parts.size() == 1 ? parts.get(0) : new Filter.And(parts);
    }

    private Filter primary() {
        skipSpace();
        if (peek() == '(') {
            pos++;
            Filter f = or();
            skipSpace();
            if (peek() != ')') {
                throw error("misses a ')' at position " + (pos + 1));
            }
            pos++;
            return f;
        }
        String column = column();
        skipSpace();
        if (keyword("is")) {
            boolean not = keyword("not");
            if (!keyword("null")) {
                throw error("expects NULL after IS" + (not ? " NOT" : "") + " at position " + (pos + 1));
            }
            return new Filter.Condition(column, not ? Filter.Op.IS_NOT_NULL : Filter.Op.IS_NULL, null);
        }
        Filter.Op op = op();
        return new Filter.Condition(column, op, value());
    }

    private String column() {
        skipSpace();
        if (peek() == '"') {
            return quoted('"');
        }
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
                || text.charAt(pos) == '$' || text.charAt(pos) == '.')) {
            pos++;
        }
        if (start == pos) {
            throw error("expects a column at position " + (pos + 1));
        }
        return text.substring(start, pos);
    }

    private Filter.Op op() {
        skipSpace();
        String[] ops = {"<=", ">=", "!=", "<>", "=", "<", ">"};
        for (String o : ops) {
            if (text.startsWith(o, pos)) {
                pos += o.length();
                return switch (o) {
                    case "<=" -> Filter.Op.LE;
                    case ">=" -> Filter.Op.GE;
                    case "!=", "<>" -> Filter.Op.NE;
                    case "=" -> Filter.Op.EQ;
                    case "<" -> Filter.Op.LT;
                    default -> Filter.Op.GT;
                };
            }
        }
        throw error("expects an operator (= != <> < <= > >= IS NULL) at position " + (pos + 1));
    }

    private Object value() {
        skipSpace();
        char c = peek();
        if (c == '\'' || c == '"') {
            return quoted(c);
        }
        int start = pos;
        while (pos < text.length() && !Character.isWhitespace(text.charAt(pos)) && text.charAt(pos) != ')') {
            pos++;
        }
        String word = text.substring(start, pos);
        if (word.isEmpty()) {
            throw error("expects a value at position " + (start + 1));
        }
        String lower = word.toLowerCase(Locale.ROOT);
        if (lower.equals("true") || lower.equals("false")) {
            return Boolean.valueOf(lower);
        }
        try {
            return new BigDecimal(word);
        } catch (NumberFormatException e) {
            throw error("has a value that is neither a number, a quoted string, true nor false at position "
                    + (start + 1) + ": '" + word + "' (quote strings)");
        }
    }

    private String quoted(char q) {
        int start = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == q) {
                if (peek() == q) {
                    sb.append(q);
                    pos++;
                } else {
                    return sb.toString();
                }
            } else {
                sb.append(c);
            }
        }
        throw error("has an unterminated " + q + " starting at position " + (start + 1));
    }

    private boolean keyword(String word) {
        skipSpace();
        int end = pos + word.length();
        if (end <= text.length() && text.regionMatches(true, pos, word, 0, word.length())
                && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)))) {
            pos = end;
            return true;
        }
        return false;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private ConfigException error(String what) {
        return new ConfigException("filter '" + text + "' " + what);
    }
}
