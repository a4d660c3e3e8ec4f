import { act, renderHook, waitFor } from '@testing-library/react';
import { usePolledData } from './usePolledData';

function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => state,
  });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('usePolledData', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    setVisibility('visible');
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('refreshes every interval while the page is visible', async () => {
    let calls = 0;
    const load = jest.fn(async () => ++calls);
    const { result } = renderHook(() =>
      usePolledData(load, [], { intervalMs: 30_000 }),
    );
    await waitFor(() => expect(result.current.value).toBe(1));

    await act(async () => {
      jest.advanceTimersByTime(30_000);
    });
    await waitFor(() => expect(result.current.value).toBe(2));
  });

  it('does not poll a hidden page, and refreshes when it is shown again', async () => {
    const load = jest.fn(async () => 'state');
    renderHook(() => usePolledData(load, [], { intervalMs: 30_000 }));
    await waitFor(() => expect(load).toHaveBeenCalledTimes(1));

    act(() => setVisibility('hidden'));
    await act(async () => {
      jest.advanceTimersByTime(90_000);
    });
    expect(load).toHaveBeenCalledTimes(1);

    act(() => setVisibility('visible'));
    await waitFor(() => expect(load).toHaveBeenCalledTimes(2));
  });

  it('keeps the last value when a refresh fails, and reports the error', async () => {
    const load = jest
      .fn()
      .mockResolvedValueOnce('first')
      .mockRejectedValueOnce(new Error('backend restarting'));
    const { result } = renderHook(() =>
      usePolledData(load, [], { intervalMs: 30_000 }),
    );
    await waitFor(() => expect(result.current.value).toBe('first'));

    act(() => result.current.refresh());

    await waitFor(() =>
      expect(result.current.error?.message).toBe('backend restarting'),
    );
    expect(result.current.value).toBe('first');
  });
});
