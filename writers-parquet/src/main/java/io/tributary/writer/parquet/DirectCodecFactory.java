package io.tributary.writer.parquet;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Page compression over snappy-java and zstd-jni directly. parquet-hadoop's own codec factory loads Hadoop's
 * codec classes at run time; this one keeps Hadoop a compile-time-only dependency.
 */
final class DirectCodecFactory implements CompressionCodecFactory {
    static final DirectCodecFactory INSTANCE = new DirectCodecFactory();
    private static final int ZSTD_LEVEL = 3;

    private DirectCodecFactory() {
    }

    static CompressionCodecName codecName(ParquetConfig.Compression c) {
        return switch (c) {
            case SNAPPY -> CompressionCodecName.SNAPPY;
            case ZSTD -> CompressionCodecName.ZSTD;
            case NONE -> CompressionCodecName.UNCOMPRESSED;
        };
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return switch (codec) {
            case SNAPPY -> new Compressor(codec) {
                @Override
                byte[] compress(byte[] in) throws IOException {
                    return Snappy.compress(in);
                }
            };
            case ZSTD -> new Compressor(codec) {
                @Override
                byte[] compress(byte[] in) {
                    return Zstd.compress(in, ZSTD_LEVEL);
                }
            };
            case UNCOMPRESSED -> new Compressor(codec) {
                @Override
                byte[] compress(byte[] in) {
                    return in;
                }
            };
            default -> throw new UnsupportedOperationException("parquet writer: codec " + codec + " is not supported");
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return switch (codec) {
            case SNAPPY -> new Decompressor() {
                @Override
                byte[] decompress(byte[] in, int size) throws IOException {
                    byte[] out = new byte[size];
                    Snappy.uncompress(in, 0, in.length, out, 0);
                    return out;
                }
            };
            case ZSTD -> new Decompressor() {
                @Override
                byte[] decompress(byte[] in, int size) {
                    return Zstd.decompress(in, size);
                }
            };
            case UNCOMPRESSED -> new Decompressor() {
                @Override
                byte[] decompress(byte[] in, int size) {
                    return in;
                }
            };
            default -> throw new UnsupportedOperationException("parquet writer: codec " + codec + " is not supported");
        };
    }

    @Override
    public void release() {
    }

    /** The bytes of {@code in}, without the copy {@code ByteArrayOutputStream.toByteArray} makes when sized right. */
    private static byte[] bytes(BytesInput in) throws IOException {
        var out = new java.io.ByteArrayOutputStream(Math.toIntExact(in.size())) {
            byte[] exact() {
                return count == buf.length ? buf : toByteArray();
            }
        };
        in.writeAllTo(out);
        return out.exact();
    }

    private abstract static class Compressor implements BytesInputCompressor {
        private final CompressionCodecName codec;

        Compressor(CompressionCodecName codec) {
            this.codec = codec;
        }

        abstract byte[] compress(byte[] in) throws IOException;

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            return BytesInput.from(compress(bytes(bytes)));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return codec;
        }

        @Override
        public void release() {
        }
    }

    private abstract static class Decompressor implements BytesInputDecompressor {
        abstract byte[] decompress(byte[] in, int size) throws IOException;

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            return BytesInput.from(decompress(bytes(bytes), uncompressedSize));
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            byte[] in = new byte[compressedSize];
            input.get(in);
            output.put(decompress(in, uncompressedSize));
        }

        @Override
        public void release() {
        }
    }
}
