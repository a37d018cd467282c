// The sample estate `npm start` and `image-sync emulator` serve by default.
import sample from '../../estates/sample.json';
import type { Estate } from './estateSchema';
import { parseEstate } from './parseEstate';

export function sampleEstate(): Estate {
  return parseEstate(sample, 'estates/sample.json');
}
