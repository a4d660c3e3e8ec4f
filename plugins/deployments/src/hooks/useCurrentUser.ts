import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';

/** The signed-in user's entity ref (e.g. `user:default/alice`), once known. */
export function useCurrentUserRef(): string | undefined {
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(
    async () => (await identityApi.getBackstageIdentity()).userEntityRef,
    [identityApi],
  );
  return value;
}

/**
 * Whether a person named by a provider or by the backend is the signed-in
 * user. Gates name requesters either by full user entity ref or by login.
 */
export function isSameUser(
  person: string | undefined,
  userEntityRef: string | undefined,
): boolean {
  if (!person || !userEntityRef) return false;
  const normalized = person.toLocaleLowerCase('en-US');
  const ref = userEntityRef.toLocaleLowerCase('en-US');
  return normalized === ref || normalized === ref.replace(/^.*[:/]/, '');
}
