/**
 * Just enough browser layout for the conversation's scrolling, which happy-dom does not do: the
 * log's viewport has a height, each row a height, the log scrolls as far as its rows reach (a
 * position past the end clamps, as a browser's does when content shrinks), a position change
 * fires `scroll` a moment later (a browser fires it with the next frame), and ResizeObservers fire
 * when `resize()` says the layout changed. Install it before rendering; `uninstall()` in cleanup.
 */
export class ScrollLayout {
  /** The log's visible height (its client box). */
  viewportHeight = 400;
  /** Every row's height. */
  rowHeight = 100;
  private readonly restores: (() => void)[] = [];
  private readonly observers = new Set<FakeResizeObserver>();
  private readonly scrollTops = new WeakMap<Element, number>();

  install(): this {
    const layout = this;
    const isLog = (element: Element) => element.classList.contains('conversation-scroll');
    const maxScroll = (element: Element) => {
      const rows = element.querySelector<HTMLElement>('.conversation-rows');
      const contentHeight = Number.parseFloat(rows?.style.height ?? '') || 0;
      return Math.max(0, contentHeight - layout.viewportHeight);
    };
    const setScrollTop = (element: Element, value: number) => {
      const next = Math.min(Math.max(0, value), maxScroll(element));
      if (next === (layout.scrollTops.get(element) ?? 0)) return;
      layout.scrollTops.set(element, next);
      setTimeout(() => element.dispatchEvent(new Event('scroll')), 0);
    };

    this.override('clientHeight', {
      get(this: HTMLElement) {
        return isLog(this) ? layout.viewportHeight : 800;
      },
    });
    this.override('offsetHeight', {
      get(this: HTMLElement) {
        return this.classList.contains('conversation-row') ? layout.rowHeight : 0;
      },
    });
    this.override('scrollHeight', {
      get(this: HTMLElement) {
        return maxScroll(this) + layout.viewportHeight;
      },
    });
    this.override('scrollTop', {
      get(this: HTMLElement) {
        const stored = layout.scrollTops.get(this) ?? 0;
        // Content shrank under the position: the browser clamps it (and says so with a scroll).
        if (stored > maxScroll(this)) setScrollTop(this, stored);
        return Math.min(stored, maxScroll(this));
      },
      set(this: HTMLElement, value: number) {
        setScrollTop(this, value);
      },
    });
    const scrollTo = HTMLElement.prototype.scrollTo;
    HTMLElement.prototype.scrollTo = function (this: HTMLElement, options?: ScrollToOptions | number) {
      if (typeof options === 'object' && options.top !== undefined) setScrollTop(this, options.top);
    } as typeof scrollTo;
    this.restores.push(() => {
      HTMLElement.prototype.scrollTo = scrollTo;
    });

    const observers = this.observers;
    const entryOf = (target: Element) => {
      const size = [{ blockSize: (target as HTMLElement).offsetHeight, inlineSize: 1000 }];
      return { target, borderBoxSize: size, contentBoxSize: size } as unknown as ResizeObserverEntry;
    };
    class FakeResizeObserver {
      readonly targets = new Set<Element>();
      constructor(readonly callback: ResizeObserverCallback) {
        observers.add(this);
      }
      observe(target: Element) {
        this.targets.add(target);
        // A browser reports every newly observed element's size once.
        setTimeout(() => {
          if (this.targets.has(target)) this.deliver([target]);
        }, 0);
      }
      unobserve(target: Element) {
        this.targets.delete(target);
      }
      disconnect() {
        this.targets.clear();
        observers.delete(this);
      }
      deliver(targets: Element[]) {
        if (targets.length > 0) this.callback(targets.map(entryOf), this as unknown as ResizeObserver);
      }
    }
    const view = window as unknown as { ResizeObserver: unknown };
    const original = view.ResizeObserver;
    view.ResizeObserver = FakeResizeObserver;
    this.restores.push(() => {
      view.ResizeObserver = original;
    });
    return this;
  }

  uninstall(): void {
    for (const restore of this.restores.splice(0).reverse()) restore();
    this.observers.clear();
  }

  /** The layout changed (a viewport or row height): every observer hears about its targets. */
  resize(): void {
    for (const observer of [...this.observers]) observer.deliver([...observer.targets]);
  }

  /** Where the log is scrolled and how far that is from its end. */
  position(log: HTMLElement): { scrollTop: number; distanceFromEnd: number } {
    return { scrollTop: log.scrollTop, distanceFromEnd: log.scrollHeight - log.clientHeight - log.scrollTop };
  }

  /** Replaces an accessor on HTMLElement.prototype; `uninstall` puts back what was there. */
  private override(property: string, descriptor: PropertyDescriptor): void {
    const prototype = HTMLElement.prototype;
    const original = Object.getOwnPropertyDescriptor(prototype, property);
    Object.defineProperty(prototype, property, { configurable: true, ...descriptor });
    this.restores.push(() => {
      if (original) Object.defineProperty(prototype, property, original);
      else delete (prototype as unknown as Record<string, unknown>)[property];
    });
  }
}

interface FakeResizeObserver {
  readonly targets: Set<Element>;
  deliver(targets: Element[]): void;
}
