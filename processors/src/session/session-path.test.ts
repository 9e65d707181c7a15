import { describe, expect, it } from 'vitest';
import { normalizeSessionPath, sessionStep } from './session-path.js';

describe('sessionStep', () => {
  it.each([
    [undefined, { path: '/', parentPath: '', depth: 0 }],
    ['', { path: '/', parentPath: '', depth: 0 }],
    ['/', { path: '/', parentPath: '', depth: 0 }],
    ['///', { path: '/', parentPath: '', depth: 0 }],
    ['/analyze', { path: '/analyze', parentPath: '/', depth: 1 }],
    ['analyze', { path: '/analyze', parentPath: '/', depth: 1 }],
    ['/analyze/extract', { path: '/analyze/extract', parentPath: '/analyze', depth: 2 }],
    ['analyze/extract/', { path: '/analyze/extract', parentPath: '/analyze', depth: 2 }],
    ['//analyze//extract//', { path: '/analyze/extract', parentPath: '/analyze', depth: 2 }],
    [' /analyze / Extract Entities /tables ', { path: '/analyze/Extract Entities/tables', parentPath: '/analyze/Extract Entities', depth: 3 }],
  ])('%j → %j', (raw, expected) => {
    expect(sessionStep(raw)).toEqual(expected);
    // Again, from the steps kept by raw path: the same, and frozen (every caller shares it).
    expect(sessionStep(raw)).toEqual(expected);
    expect(Object.isFrozen(sessionStep(raw))).toBe(true);
  });

  it('normalizeSessionPath is the path alone', () => {
    expect(normalizeSessionPath('a//b/')).toBe('/a/b');
  });
});
