import { describe, expect, it } from 'vitest';
import { inChunks } from '../../src/inChunks';

describe('inChunks', () => {
  it('cuts items into runs of the size, the last one shorter, order kept', () => {
    expect(inChunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(inChunks([1, 2, 3, 4], 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('makes no chunk of nothing', () => {
    expect(inChunks([], 100)).toEqual([]);
  });
});
