/**
 * A window whose width the test sets, as `window.matchMedia` sees it: `(max-width: …px)` and
 * `(min-width: …px)` queries answer for that width, and their listeners hear when `resize` changes
 * the answer (happy-dom lays nothing out, and its own lists never change). Other queries (a library
 * asking about the pointer) go to happy-dom's. Install it before rendering; `uninstall()` in cleanup.
 */
const WIDTH_QUERY = /^\((max|min)-width:\s*(\d+)px\)$/;

export class FakeViewport {
  private readonly lists = new Set<{ query: string; listeners: Set<(event: MediaQueryListEvent) => void> }>();
  private original: typeof window.matchMedia | undefined;

  constructor(private width: number) {}

  install(): this {
    this.original = window.matchMedia;
    const original = window.matchMedia.bind(window);
    window.matchMedia = (query: string) =>
      WIDTH_QUERY.test(query.trim()) ? this.listFor(query) : original(query);
    return this;
  }

  uninstall(): void {
    if (this.original) window.matchMedia = this.original;
    this.lists.clear();
  }

  resize(width: number): void {
    const before = [...this.lists].map((list) => this.matches(list.query));
    this.width = width;
    [...this.lists].forEach((list, index) => {
      const matches = this.matches(list.query);
      if (matches === before[index]) return;
      const event = { matches, media: list.query } as MediaQueryListEvent;
      for (const listener of list.listeners) listener(event);
    });
  }

  private matches(query: string): boolean {
    const found = WIDTH_QUERY.exec(query.trim());
    if (!found) throw new Error(`FakeViewport cannot answer ${query}`);
    const limit = Number(found[2]);
    return found[1] === 'max' ? this.width <= limit : this.width >= limit;
  }

  private listFor(query: string): MediaQueryList {
    const list = { query, listeners: new Set<(event: MediaQueryListEvent) => void>() };
    this.lists.add(list);
    const viewport = this;
    return {
      media: query,
      get matches() {
        return viewport.matches(query);
      },
      onchange: null,
      addEventListener: (_type: string, listener: (event: MediaQueryListEvent) => void) =>
        list.listeners.add(listener),
      removeEventListener: (_type: string, listener: (event: MediaQueryListEvent) => void) =>
        list.listeners.delete(listener),
    } as unknown as MediaQueryList;
  }
}
