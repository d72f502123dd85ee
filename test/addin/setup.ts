// jsdom setup for add-in tests: jest-dom matchers, and ResizeObserver, which Fluent's MessageBar needs.
import '@testing-library/jest-dom';

class NoopResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
(globalThis as unknown as { ResizeObserver?: typeof NoopResizeObserver }).ResizeObserver ??= NoopResizeObserver;
