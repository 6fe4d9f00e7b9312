// The stream wrapper that ends subscriptions whose token was revoked: it ends
// the source at once when the subscriber leaves, even while waiting for an
// item, and ends with UNAUTHENTICATED when the token is no longer valid.
import { describe, expect, it } from 'vitest';
import { rechecking } from '../../src/http/tokenRecheck.ts';

/** A source that yields what is pushed into it and records whether it was ended. */
function pushSource() {
  const waiting: ((result: IteratorResult<unknown>) => void)[] = [];
  const state = { returned: false };
  const iterator: AsyncIterableIterator<unknown> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => new Promise((resolve) => waiting.push(resolve)),
    return: async () => {
      state.returned = true;
      for (const resolve of waiting.splice(0)) resolve({ done: true, value: undefined });
      return { done: true, value: undefined };
    },
  };
  return { iterator, state, push: (value: unknown) => waiting.shift()?.({ done: false, value }) };
}

describe('rechecking', () => {
  it('passes items through while the token holds', async () => {
    const source = pushSource();
    const stream = rechecking(source.iterator, async () => true, 10);
    const first = stream.next();
    source.push('a');
    expect(await first).toEqual({ done: false, value: 'a' });
    await stream.return?.();
  });

  it('ends the source at once when the subscriber leaves while waiting for an item', async () => {
    const source = pushSource();
    const stream = rechecking(source.iterator, async () => true, 60_000);
    const pending = stream.next(); // no item will come
    await stream.return?.();
    expect(source.state.returned).toBe(true);
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('ends with UNAUTHENTICATED when the token is revoked, and ends the source', async () => {
    const source = pushSource();
    let valid = true;
    const stream = rechecking(source.iterator, async () => valid, 20);
    const pending = stream.next();
    valid = false;
    const result = (await pending) as IteratorResult<{ errors: { extensions: { code: string } }[] }>;
    expect(result.done).toBe(false);
    expect(result.value!.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(source.state.returned).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });
});

describe('rechecking, when the source fails', () => {
  it('passes the failure on and stops checking the token', async () => {
    let checks = 0;
    const failing: AsyncIterableIterator<unknown> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: async () => {
        throw new Error('the source gave up');
      },
    };
    const stream = rechecking(
      failing,
      async () => {
        checks++;
        return true;
      },
      10,
    );
    await expect(stream.next()).rejects.toThrow('the source gave up');
    const after = checks;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(checks).toBe(after);
  });
});
