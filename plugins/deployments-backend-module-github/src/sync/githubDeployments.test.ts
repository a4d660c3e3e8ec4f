import { linkLabel } from './githubDeployments';

describe('linkLabel', () => {
  it('says what a deployment link opens, never a deployment id as a run', () => {
    expect(
      linkLabel('https://github.com/acme/api/actions/runs/1400000617'),
    ).toBe('workflow run');
    expect(
      linkLabel('https://github.com/acme/api/actions/runs/1400000617/job/42'),
    ).toBe('workflow job');
    expect(linkLabel(undefined)).toBe('deployments');
    expect(linkLabel('https://ci.example.com/build/7')).toBe('deployments');
  });
});
