export { SeededRandom } from './random';
