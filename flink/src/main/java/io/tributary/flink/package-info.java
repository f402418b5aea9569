package io.tributary.flink;
