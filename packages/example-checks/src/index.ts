export { findPython } from './python';
