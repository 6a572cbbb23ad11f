package dev.neox4j.engine.tokenizer;

import java.util.Arrays;

/** A growable list of primitive ints (token ids), reused within one encode call. */
final class IntList {

    private int[] data;
    private int size;

    IntList(int capacity) {
        data = new int[Math.max(4, capacity)];
    }

    void add(int v) {
        if (size == data.length) {
            data = Arrays.copyOf(data, data.length * 2);
        }
        data[size++] = v;
    }

    void addAll(int[] values) {
        int n = values.length;
        if (size + n > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, size + n));
        }
        System.arraycopy(values, 0, data, size, n);
        size += n;
    }

    int size() {
        return size;
    }

    int get(int i) {
        return data[i];
    }

    void clear() {
        size = 0;
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }

    int[] copyRange(int from, int to) {
        return Arrays.copyOfRange(data, from, to);
    }
}
