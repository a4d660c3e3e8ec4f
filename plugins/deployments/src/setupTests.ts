import '@testing-library/jest-dom';

// Dialog tests type, click and wait for several renders of MUI; on a busy
// two-core CI machine one of them alone can pass Jest's 5 s default.
jest.setTimeout(30_000);
