import '@testing-library/jest-dom';

// The first render of a whole entity page loads much of MUI and Backstage;
// on a busy two-core CI machine that alone can take several seconds.
jest.setTimeout(30_000);
