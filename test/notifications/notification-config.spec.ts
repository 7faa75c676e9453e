import { ConfigError, loadConfig } from '../../src/config';

describe('notification configuration', () => {
  const base = { DATA_DIR: '/tmp/outreach-config-test', JWT_SECRET: 'x'.repeat(40) };

  it('should default to every kind on, email needing SMTP_URL, and 30 s retries doubling up to 6 attempts', () => {
    expect(loadConfig(base).notifications).toEqual({
      emailEnabled: true,
      slackEnabled: true,
      webhooksEnabled: true,
      smtpUrl: undefined,
      mailFrom: 'LinkedIn Outreach <notifications@localhost>',
      dispatchIntervalMs: 5_000,
      retryDelayMs: 30_000,
      maxAttempts: 6,
      timeoutMs: 10_000,
      allowPrivateNetworks: false,
      slackWebhookOrigins: ['https://hooks.slack.com'],
    });
  });

  it('should read the private-network opt-in and the Slack origins, kept as origins', () => {
    const n = loadConfig({ ...base, NOTIFY_ALLOW_PRIVATE_NETWORKS: 'true', NOTIFY_SLACK_WEBHOOK_ORIGINS: 'https://hooks.slack.com/, https://chat.example.com:8065/hooks' }).notifications;
    expect(n).toMatchObject({ allowPrivateNetworks: true, slackWebhookOrigins: ['https://hooks.slack.com', 'https://chat.example.com:8065'] });
    expect(() => loadConfig({ ...base, NOTIFY_SLACK_WEBHOOK_ORIGINS: 'hooks.slack.com' })).toThrow(
      'NOTIFY_SLACK_WEBHOOK_ORIGINS: must be comma-separated http:// or https:// origins such as https://hooks.slack.com',
    );
  });

  it('should read the switches and the SMTP settings', () => {
    const n = loadConfig({
      ...base,
      NOTIFY_EMAIL_ENABLED: 'off',
      NOTIFY_SLACK_ENABLED: 'FALSE',
      NOTIFY_WEBHOOKS_ENABLED: '1',
      SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
      NOTIFY_RETRY_DELAY: '2m',
      NOTIFY_MAX_ATTEMPTS: '3',
    }).notifications;
    expect(n).toMatchObject({ emailEnabled: false, slackEnabled: false, webhooksEnabled: true, smtpUrl: 'smtps://user:pass@smtp.example.com:465', retryDelayMs: 120_000, maxAttempts: 3 });
  });

  it('should refuse bad values with one line per problem', () => {
    expect(() => loadConfig({ ...base, NOTIFY_SLACK_ENABLED: 'maybe', SMTP_URL: 'http://mail.example.com', NOTIFY_MAX_ATTEMPTS: '0' })).toThrow(ConfigError);
    try {
      loadConfig({ ...base, NOTIFY_SLACK_ENABLED: 'maybe', SMTP_URL: 'http://mail.example.com', NOTIFY_MAX_ATTEMPTS: '0' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'NOTIFY_SLACK_ENABLED: must be true or false',
        'SMTP_URL: must be an smtp:// or smtps:// URL such as smtps://user:pass@smtp.example.com:465',
        'NOTIFY_MAX_ATTEMPTS: must be a whole number from 1 to 20',
      ]);
    }
  });
});
