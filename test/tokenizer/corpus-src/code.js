'use strict';
const fetchJson = async (url, { timeout = 5000 } = {}) => {
  const controller = new AbortController();
  const id = setTimeout(() => controller.abort(), timeout);
  try {
    const res = await fetch(url, { signal: controller.signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${res.statusText}`);
    return await res.json();
  } finally {
    clearTimeout(id);
  }
};
export default class Counter extends EventTarget {
  #count = 0;
  increment() { this.#count++; this.dispatchEvent(new CustomEvent('change', { detail: this.#count })); }
}
const re = /^(?<user>[\w.+-]+)@(?<host>[\w-]+\.[\w.-]+)$/u;
console.log([1, 2, 3].map((x) => x ** 2).filter(Boolean).reduce((a, b) => a + b, 0) ?? null);
interface Point { readonly x: number; y?: number }
type Pair<T> = [T, T];
