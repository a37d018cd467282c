import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config';

const SUB = '11111111-1111-4111-8111-111111111111';
const minimal = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', IMAGE_SYNC_SUBSCRIPTION_IDS: SUB };
const STAGING = '/subscriptions/AAAAAAAA-1111-4111-8111-111111111111/resourceGroups/rg-CloudPC-staging';

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('gallery source settings (DESIGN §17)', () => {
  it('are off by default, and a staging group alone does not turn them on', () => {
    expect(loadConfig(minimal).gallery).toEqual({ mode: 'off', stagingResourceGroup: null });
    expect(loadConfig({ ...minimal, IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: STAGING }).gallery).toEqual({
      mode: 'off',
      stagingResourceGroup: null,
    });
  });

  it('copy takes the staging resource group, its subscription lower-cased, without a trailing slash', () => {
    const config = loadConfig({
      ...minimal,
      IMAGE_SYNC_GALLERY_SOURCES: ' Copy ',
      IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: `${STAGING}/`,
    });
    expect(config.gallery).toEqual({
      mode: 'copy',
      stagingResourceGroup: { id: STAGING, subscriptionId: 'aaaaaaaa-1111-4111-8111-111111111111', name: 'rg-CloudPC-staging' },
    });
    expect(Object.isFrozen(config.gallery)).toBe(true);
  });

  it('direct needs no staging group', () => {
    expect(loadConfig({ ...minimal, IMAGE_SYNC_GALLERY_SOURCES: 'direct' }).gallery).toEqual({
      mode: 'direct',
      stagingResourceGroup: null,
    });
  });

  it.each([
    [
      { IMAGE_SYNC_GALLERY_SOURCES: 'gallery' },
      'IMAGE_SYNC_GALLERY_SOURCES',
      /^IMAGE_SYNC_GALLERY_SOURCES: "gallery" is not one of off, copy, direct\. Fix: set copy .* direct .* or off$/,
    ],
    [
      { IMAGE_SYNC_GALLERY_SOURCES: 'copy' },
      'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP',
      /^IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: is required with IMAGE_SYNC_GALLERY_SOURCES=copy\. Fix: set the resource group/,
    ],
    [
      { IMAGE_SYNC_GALLERY_SOURCES: 'copy', IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: 'rg-cloudpc-staging' },
      'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP',
      /^IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: "rg-cloudpc-staging" is not a resource group id\. Fix: write it as \/subscriptions\//,
    ],
  ])('refuses %o naming %s and the fix', (env, setting, message) => {
    const error = failure({ ...minimal, ...env });
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(message);
  });
});
