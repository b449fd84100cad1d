// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has neither observer; @grafana/ui widgets (Select menus, collapsible sections) use both.
class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
Object.assign(global, { ResizeObserver: NoopObserver, IntersectionObserver: NoopObserver });

// The scaffold stubs getContext with undefined; text measuring in @grafana/ui needs measureText.
HTMLCanvasElement.prototype.getContext = () => ({ measureText: (text) => ({ width: String(text).length * 8 }) });
