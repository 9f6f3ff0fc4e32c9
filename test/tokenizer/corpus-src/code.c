#include <stdio.h>
#include <stdlib.h>

/* Sum the elements of an array; returns 0 for an empty one. */
static long sum(const int *values, size_t count) {
    long total = 0;
    for (size_t i = 0; i < count; ++i) {
        total += values[i];
    }
    return total;
}

int main(int argc, char **argv) {
    int values[] = {1, 2, 3, 4, 5, 0x7fffffff, -42};
    if (argc > 1 && argv[1][0] == '-') {
        fprintf(stderr, "usage: %s\n", argv[0]);
        return EXIT_FAILURE;
    }
    printf("sum=%ld\t(%zu values)\n", sum(values, sizeof values / sizeof *values), sizeof values);
    return 0;
}
