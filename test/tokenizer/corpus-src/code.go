package main

import (
	"fmt"
	"strings"
)

type Tokenizer interface {
	Encode(text string) ([]int, error)
}

func main() {
	words := strings.Fields("  go is   simple  ")
	for i, w := range words {
		fmt.Printf("%d:%q\n", i, w)
	}
	ch := make(chan int, 3)
	go func() { defer close(ch); ch <- 42 }()
	if v, ok := <-ch; ok {
		fmt.Println("got", v)
	}
}
