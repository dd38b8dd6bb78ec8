import { describe, expect, it } from 'vitest';

import { redactUrl } from '../../../daemon/log/redact.ts';

describe('redactUrl', () => {
  it.each([
    // Settings are configuration: their values are what a user must see to fix the URL.
    ['http://default:pw@ch:8123/app?allow_dimensions_outside_sorting_key=1', 'http://default:***@ch:8123/app?allow_dimensions_outside_sorting_key=1'],
    [
      'http://default@ch:8123/app?distributed_ddl_task_timeout=60&primary_key_max=2',
      'http://default@ch:8123/app?distributed_ddl_task_timeout=60&primary_key_max=2',
    ],
    ['postgres://u@db/app?sslkey=/etc/client.key', 'postgres://u@db/app?sslkey=/etc/client.key'],
    // Secrets stay hidden.
    ['postgres://u:pw@db/app?sslpassword=s3cret', 'postgres://u:***@db/app?sslpassword=***'],
    ['http://ch:8123/app?password=s3cret&token=t&api_key=k&access_key=a&key=x', 'http://ch:8123/app?password=***&token=***&api_key=***&access_key=***&key=***'],
  ])('%s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
