import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { signInFolder } from '../../../src/auth/signInRecord';
import { protectedStoreAdvice } from '../../../src/auth/protectedTokenCache';

describe('signInFolder', () => {
  it("is the user's config folder on each platform", () => {
    expect(signInFolder({ HOME: '/home/megan' }, 'linux')).toBe(path.join('/home/megan', '.config', 'image-sync'));
    expect(signInFolder({ HOME: '/home/megan', XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe(path.join('/cfg', 'image-sync'));
    expect(signInFolder({ HOME: '/Users/megan' }, 'darwin')).toBe(
      path.join('/Users/megan', 'Library', 'Application Support', 'image-sync'),
    );
    expect(signInFolder({ APPDATA: 'C:\\Users\\megan\\AppData\\Roaming', USERPROFILE: 'C:\\Users\\megan' }, 'win32')).toBe(
      path.join('C:\\Users\\megan\\AppData\\Roaming', 'image-sync'),
    );
  });

  it('ignores a relative XDG_CONFIG_HOME, as the XDG specification says', () => {
    expect(signInFolder({ HOME: '/home/megan', XDG_CONFIG_HOME: 'relative' }, 'linux')).toBe(
      path.join('/home/megan', '.config', 'image-sync'),
    );
  });
});

describe('protectedStoreAdvice', () => {
  it('names libsecret on Linux and nothing to install on Windows and macOS', () => {
    expect(protectedStoreAdvice('linux')).toMatch(/libsecret-1-dev/);
    expect(protectedStoreAdvice('win32')).toMatch(/Windows needs nothing else/);
    expect(protectedStoreAdvice('darwin')).toMatch(/macOS needs nothing else/);
  });
});
