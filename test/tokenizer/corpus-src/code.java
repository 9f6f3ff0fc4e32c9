package com.example.kiln;

import java.util.List;
import java.util.stream.Collectors;

public final class Main {
    private static final int MAX = 1 << 20;

    @Override
    public String toString() { return "Main{max=" + MAX + "}"; }

    public static void main(String[] args) throws Exception {
        List<String> names = List.of("Ada", "Grace", "Linus");
        String joined = names.stream().map(String::toUpperCase).collect(Collectors.joining(", "));
        System.out.println(joined);
    }
}
