export { PolicyChecks } from './PolicyChecks';
