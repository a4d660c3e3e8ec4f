import { lazy, Suspense } from 'react';
import { render, screen } from '@testing-library/react';
import { loadedNow } from './loadedNow';

const Loaded = () => <p>loaded</p>;

function renderLazily(load: () => Promise<{ default: () => JSX.Element }>) {
  const fallback = jest.fn(() => <p>loading</p>);
  const Fallback = fallback;
  const Component = lazy(load);
  render(
    <Suspense fallback={<Fallback />}>
      <Component />
    </Suspense>,
  );
  return fallback;
}

describe('loadedNow', () => {
  it('lets React.lazy render the component in the first pass, without its fallback', () => {
    const fallback = renderLazily(() => loadedNow({ default: Loaded }));

    expect(screen.getByText('loaded')).toBeInTheDocument();
    expect(fallback).not.toHaveBeenCalled();
  });

  it('stays immediate through then, as Backstage chains its extension loaders', () => {
    const fallback = renderLazily(() =>
      loadedNow(Loaded)
        .then(Inner => () => <Inner />)
        .then(
          component => ({ default: component }),
          error => {
            throw error;
          },
        ),
    );

    expect(screen.getByText('loaded')).toBeInTheDocument();
    expect(fallback).not.toHaveBeenCalled();
  });

  it('is what a resolved promise is not: the same with Promise.resolve suspends once', async () => {
    const fallback = renderLazily(() => Promise.resolve({ default: Loaded }));

    expect(fallback).toHaveBeenCalled();
    expect(await screen.findByText('loaded')).toBeInTheDocument();
  });

  it('can be awaited like a promise', async () => {
    await expect(loadedNow(42)).resolves.toBe(42);
    expect(await loadedNow('value')).toBe('value');
  });

  it('rejects what then returns when its callback throws, as a promise does (its own rejection handler is for what came before)', async () => {
    const failing = () => {
      throw new Error('broken loader');
    };
    const onRejected = jest.fn();
    await expect(loadedNow(1).then(failing, onRejected)).rejects.toThrow(
      'broken loader',
    );
    expect(onRejected).not.toHaveBeenCalled();
    const caught = await loadedNow(1)
      .then(failing)
      .then(undefined, error =>
        error instanceof Error ? error.message : 'not an error',
      );
    expect(caught).toBe('broken loader');
  });

  it('has catch and finally: never rejected, so catch passes the value on; finally runs its callback', async () => {
    await expect(loadedNow(3).catch(() => 0)).resolves.toBe(3);
    const onFinally = jest.fn();
    await expect(loadedNow(4).finally(onFinally)).resolves.toBe(4);
    expect(onFinally).toHaveBeenCalledTimes(1);
  });

  it('follows a callback that returns a promise', async () => {
    await expect(
      loadedNow(2).then(value => Promise.resolve(value * 2)),
    ).resolves.toBe(4);
  });
});
