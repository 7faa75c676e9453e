import { Role } from '../../src/core/graphql/viewer';
import { SCAN_JOB } from '../../src/modules/outreach/jobs/outreach.jobs';
import { changeUserInPlace, createUser } from '../factories/user.factory';
import { MeDocument, RevokeAllTokensDocument } from '../graphql/generated';
import { errorCode, gql, gqlOk } from '../support/graphql-client';
import { eventually } from '../support/polling';
import { loginToken } from '../support/session';
import { TEST_ADMIN, type TestApp, startTestApp } from '../support/test-app';

type DashboardJobs = {
  overview: Array<{ displayName: string; total: number; failed: number; repeating: number }>;
  jobs: Array<{ job: { _id: string; name: string; nextRunAt: string | null; failReason?: string; data?: unknown }; failed: boolean; repeating: boolean }>;
  total: number;
  totalPages: number;
};
type AuditRow = { action: string; target: Record<string, unknown>; outcome: string; user_email: string; request_id: string };

// Agendash's UI and its JSON API at /admin/jobs/ on Agenda 6 with the Postgres job store, behind operator auth.
describe('jobs dashboard (agendash) at /admin/jobs', () => {
  let t: TestApp;
  let dash: string;
  let adminToken: string;
  let memberToken: string;
  let workspaceId: string;

  beforeAll(async () => {
    // ROLE=all: the worker schedules the real repeating jobs (outreach.scan …) and runs test jobs.
    t = await startTestApp({ SCAN_INTERVAL: '1h' }, { role: 'all' });
    dash = `${t.baseUrl}/admin/jobs`;
    adminToken = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
    [{ workspace_id: workspaceId }] = await t.app.dataSource.query(`SELECT workspace_id FROM app_user WHERE email = $1`, [TEST_ADMIN.email]);
    const member = await createUser(t.app.dataSource, { workspaceId, role: Role.MEMBER });
    memberToken = await loginToken(t.graphqlUrl, member.email);
    t.app.jobs.define('test.fails', async () => {
      throw new Error('boom from test.fails');
    });
  });
  afterAll(() => t.stop());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const json = { 'content-type': 'application/json' };
  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${dash}${path}`, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) });
  const listJobs = async (query: string, headers: Record<string, string>): Promise<DashboardJobs> => {
    const res = await fetch(`${dash}/api?${query}`, { headers: { ...json, ...headers } });
    expect(res.status).toBe(200);
    return (await res.json()) as DashboardJobs;
  };
  const audit = (action: string): Promise<AuditRow[]> =>
    t.app.dataSource.query(`SELECT action, target, outcome, user_email, request_id FROM audit_log WHERE action = $1 ORDER BY id`, [action]);
  const openSession = async (token: string): Promise<{ cookie: string; setCookie: string; expiresAt: string }> => {
    const res = await fetch(`${dash}/session`, { method: 'POST', headers: bearer(token) });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    return { cookie: setCookie.split(';')[0], setCookie, ...((await res.json()) as { expiresAt: string }) };
  };

  it('should answer 401 JSON without a token (the page: a sign-in form), and 403 JSON to a member', async () => {
    for (const res of [
      await fetch(`${dash}/api`),
      await fetch(`${dash}/api/stats`),
      await fetch(`${dash}/assets/nothing.js`),
      await post('/api/jobs/requeue', { jobIds: [] }, {}),
      await fetch(`${dash}/api`, { headers: bearer('not-a-token') }),
      await fetch(`${dash}/api`, { headers: { cookie: 'outreach_jobs_session=forged' } }),
      await fetch(`${dash}/session`, { method: 'POST' }),
    ]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'UNAUTHENTICATED' });
    }
    const page = await fetch(`${dash}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="./sign-in.js"></script>');
    expect((await fetch(`${dash}/sign-in.js`)).status).toBe(200);

    for (const res of [
      await fetch(`${dash}/api`, { headers: bearer(memberToken) }),
      await fetch(`${dash}/`, { headers: bearer(memberToken) }),
      await post('/api/jobs/create', { jobName: SCAN_JOB }, bearer(memberToken)),
      await fetch(`${dash}/session`, { method: 'POST', headers: bearer(memberToken) }),
    ]) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'FORBIDDEN' });
    }
    expect(await audit('jobDashboard.create')).toEqual([]);
  });

  it("should list the instance's real jobs to an operator: overview per name and the jobs with their state", async () => {
    const all = await listJobs('', bearer(adminToken));
    const names = all.overview.map((o) => o.displayName);
    expect(names[0]).toBe('All Jobs');
    expect(names).toEqual(expect.arrayContaining([SCAN_JOB, 'notifications.dispatch']));
    const scans = await listJobs(`job=${SCAN_JOB}&state=repeating`, bearer(adminToken));
    expect(scans.total).toBe(1);
    expect(scans.jobs[0]).toMatchObject({ repeating: true, failed: false, job: { name: SCAN_JOB } });
    expect(new Date(scans.jobs[0].job.nextRunAt!).getTime()).toBeGreaterThan(Date.now());
    const searched = await listJobs('q=scan&limit=1', bearer(adminToken));
    expect(searched.jobs.map((j) => j.job.name)).toEqual([SCAN_JOB]);

    // This process runs the worker: its processor stats are there too.
    const stats = await fetch(`${dash}/api/stats`, { headers: bearer(adminToken) });
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({ backend: expect.anything() });
    expect(await (await fetch(`${dash}/api/logs`, { headers: bearer(adminToken) })).json()).toEqual({ entries: [], total: 0, loggingEnabled: false });
    expect((await fetch(`${dash}/api/events`, { headers: bearer(adminToken) })).status).toBe(501);
  });

  it("should open a browser session: a short HttpOnly SameSite=Strict cookie for /admin/jobs only, serving agendash's page and API", async () => {
    const { cookie, setCookie, expiresAt } = await openSession(adminToken);
    // Exactly these attributes, in whatever order the serializer writes them (no Secure over plain HTTP, no Domain).
    const [pair, ...attributes] = setCookie.split('; ');
    expect(pair).toMatch(/^outreach_jobs_session=[^;]+$/);
    expect(attributes.map((a) => a.replace(/^Max-Age=\d+$/, 'Max-Age=N')).sort()).toEqual(['HttpOnly', 'Max-Age=N', 'Path=/admin/jobs', 'SameSite=Strict']);
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie)![1]);
    expect(maxAge).toBeGreaterThan(25 * 60);
    expect(maxAge).toBeLessThanOrEqual(30 * 60);
    expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    const [opened] = await audit('jobDashboard.session');
    expect(opened).toMatchObject({ outcome: 'ok', user_email: TEST_ADMIN.email });

    // The bundle resolves ./assets and api against the page: /admin/jobs redirects to /admin/jobs/.
    const bare = await fetch(dash, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(new URL(bare.headers.get('location')!, dash).pathname).toBe('/admin/jobs/');
    const page = await fetch(`${dash}/`, { headers: { cookie, accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<title>Agendash</title>');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1];
    const asset = await fetch(`${dash}/${script}`, { headers: { cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${dash}/${script}`)).status).toBe(401);

    const viaCookie = await listJobs(`job=${SCAN_JOB}`, { cookie });
    expect(viaCookie.total).toBe(1);

    // Neither credential stands in for the other: the session is no API token, the API token no session.
    const sessionValue = cookie.split('=')[1];
    expect(errorCode(await gql(t.graphqlUrl, MeDocument, {}, sessionValue))).toBe('UNAUTHENTICATED');
    expect((await fetch(`${dash}/api`, { headers: { cookie: `outreach_jobs_session=${adminToken}` } })).status).toBe(401);

    const signOut = await fetch(`${dash}/session`, { method: 'DELETE' });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(signOut.headers.get('set-cookie')).toContain('Path=/admin/jobs');
  });

  it('should requeue and retry a failed job from the dashboard, each change audited', async () => {
    await t.app.jobs.now('test.fails', { leadId: 'lead-1' });
    const failed = await eventually(async () => {
      const page = await listJobs('job=test.fails&state=failed', bearer(adminToken));
      expect(page.total).toBe(1);
      return page.jobs[0];
    });
    expect(failed.job).toMatchObject({ failReason: 'boom from test.fails', data: { leadId: 'lead-1' } });
    const { cookie } = await openSession(adminToken);

    // Requeue: a new run of the same job (name and data); the failed one stays.
    const requeued = await post('/api/jobs/requeue', { jobIds: [failed.job._id] }, { cookie, 'sec-fetch-site': 'same-origin' });
    expect(requeued.status).toBe(200);
    expect(await requeued.json()).toEqual({ requeuedCount: 1 });
    await eventually(async () => expect((await listJobs('job=test.fails&state=failed', bearer(adminToken))).total).toBe(2));
    const [entry] = await audit('jobDashboard.requeue');
    expect(entry).toMatchObject({ outcome: 'ok', user_email: TEST_ADMIN.email, target: { jobIds: [failed.job._id] } });
    expect(entry.request_id).toBe(requeued.headers.get('x-request-id'));

    // Retry: the same job row, due now with its failure cleared; it fails again here.
    const retried = await post('/api/jobs/retry', { jobIds: [failed.job._id] }, bearer(adminToken));
    expect(await retried.json()).toEqual({ retriedCount: 1 });
    await eventually(async () => {
      const again = (await listJobs('job=test.fails', bearer(adminToken))).jobs.find((j) => j.job._id === failed.job._id)!;
      expect(again).toMatchObject({ failed: true, job: { failReason: 'boom from test.fails' } });
    });
    expect(await audit('jobDashboard.retry')).toEqual([expect.objectContaining({ outcome: 'ok', target: { jobIds: [failed.job._id] } })]);

    // Pause, resume and delete go the same way.
    expect(await (await post('/api/jobs/pause', { jobIds: [failed.job._id] }, bearer(adminToken))).json()).toEqual({ pausedCount: 1 });
    expect((await listJobs('state=paused', bearer(adminToken))).jobs.map((j) => j.job._id)).toEqual([failed.job._id]);
    expect(await (await post('/api/jobs/resume', { jobIds: [failed.job._id] }, bearer(adminToken))).json()).toEqual({ resumedCount: 1 });
    expect(await (await post('/api/jobs/delete', { jobIds: [failed.job._id] }, bearer(adminToken))).json()).toEqual({ deleted: true, deletedCount: 1 });
    expect((await listJobs('job=test.fails', bearer(adminToken))).total).toBe(1);
    expect((await audit('jobDashboard.delete')).map((r) => r.outcome)).toEqual(['ok']);
  });

  it('should create a job of a defined name, and refuse any other name', async () => {
    const created = await post('/api/jobs/create', { jobName: 'test.fails', jobSchedule: 'in 2 hours', jobData: '{"from":"dashboard"}' }, bearer(adminToken));
    expect(created.status).toBe(200);
    expect(await created.json()).toEqual({ created: true });
    const scheduled = await listJobs('job=test.fails&state=scheduled', bearer(adminToken));
    expect(scheduled.jobs.map((j) => j.job.data)).toEqual([{ from: 'dashboard' }]);

    const unknown = await post('/api/jobs/create', { jobName: 'rm.everything' }, bearer(adminToken));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'BAD_USER_INPUT' });
    expect((await audit('jobDashboard.create')).map((r) => [r.target.jobName, r.outcome])).toEqual([
      ['test.fails', 'ok'],
      ['rm.everything', 'BAD_USER_INPUT'],
    ]);

    // A bad interval is refused before Agenda could replace the name's repeating job with a failed one.
    const badEvery = await post('/api/jobs/create', { jobName: SCAN_JOB, jobRepeatEvery: 'every blue moon' }, bearer(adminToken));
    expect(badEvery.status).toBe(400);
    const scans = await listJobs(`job=${SCAN_JOB}`, bearer(adminToken));
    expect(scans.jobs).toEqual([expect.objectContaining({ repeating: true, job: expect.objectContaining({ repeatInterval: '3600000' }) })]);
  });

  it('should answer bad input with 4xx JSON and change nothing', async () => {
    const before = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM audit_log`);
    const cases: Array<[string, Response, number]> = [
      ['jobIds not a list', await post('/api/jobs/requeue', { jobIds: 'abc' }, bearer(adminToken)), 400],
      ['no jobIds', await post('/api/jobs/delete', { jobIds: [] }, bearer(adminToken)), 400],
      ['not an id', await post('/api/jobs/retry', { jobIds: ['not-a-uuid'] }, bearer(adminToken)), 400],
      ['too many ids', await post('/api/jobs/pause', { jobIds: Array.from({ length: 101 }, () => crypto.randomUUID()) }, bearer(adminToken)), 400],
      ['body not an object', await post('/api/jobs/resume', null, bearer(adminToken)), 400],
      ['broken JSON', await fetch(`${dash}/api/jobs/requeue`, { method: 'POST', headers: { ...json, ...bearer(adminToken) }, body: '{"jobIds":' }), 400],
      ['create without a name', await post('/api/jobs/create', { jobData: {} }, bearer(adminToken)), 400],
      ['jobData not an object', await post('/api/jobs/create', { jobName: 'test.fails', jobData: '[1,2]' }, bearer(adminToken)), 400],
      ['bad state', await fetch(`${dash}/api?state=exploded`, { headers: bearer(adminToken) }), 400],
      ['bad limit', await fetch(`${dash}/api?limit=0`, { headers: bearer(adminToken) }), 400],
      ['bad skip', await fetch(`${dash}/api?skip=-1`, { headers: bearer(adminToken) }), 400],
      ['not JSON', await fetch(`${dash}/api/jobs/requeue`, { method: 'POST', headers: { 'content-type': 'text/plain', ...bearer(adminToken) }, body: '{"jobIds":[]}' }), 415],
      ['unknown route', await fetch(`${dash}/api/jobs/explode`, { method: 'POST', headers: { ...json, ...bearer(adminToken) }, body: '{}' }), 404],
    ];
    for (const [what, res, status] of cases) {
      expect([what, res.status]).toEqual([what, status]);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(typeof ((await res.json()) as { error: unknown }).error).toBe('string');
    }
    // A missing id is no error: nothing to requeue.
    expect(await (await post('/api/jobs/requeue', { jobIds: [crypto.randomUUID()] }, bearer(adminToken))).json()).toEqual({ requeuedCount: 0 });
    const after = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM audit_log`);
    expect(after[0].n).toBe(before[0].n + 1);
  });

  it('should refuse a change through the cookie from another site (CSRF) or not as JSON', async () => {
    const { cookie } = await openSession(adminToken);
    const jobIds = [(await listJobs(`job=${SCAN_JOB}`, bearer(adminToken))).jobs[0].job._id];
    const crossSite = await post('/api/jobs/delete', { jobIds }, { cookie, 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const sameSite = await post('/api/jobs/delete', { jobIds }, { cookie, 'sec-fetch-site': 'same-site' });
    expect(sameSite.status).toBe(403);
    // What a cross-site <form> could send (no preflight): refused before the body is read.
    const form = await fetch(`${dash}/api/jobs/delete`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'jobIds=x',
    });
    expect(form.status).toBe(415);
    expect((await listJobs(`job=${SCAN_JOB}`, bearer(adminToken))).total).toBe(1);
    expect((await audit('jobDashboard.delete')).length).toBe(1);
  });

  it("should let only instance operators in, and end an operator's session when its workspace's tokens are revoked or the flag is removed", async () => {
    // A workspace admin who is not an operator: refused with and without a session.
    const tenantAdmin = await createUser(t.app.dataSource, { role: Role.ADMIN });
    const tenantToken = await loginToken(t.graphqlUrl, tenantAdmin.email);
    expect((await fetch(`${dash}/session`, { method: 'POST', headers: bearer(tenantToken) })).status).toBe(403);
    expect((await fetch(`${dash}/api`, { headers: bearer(tenantToken) })).status).toBe(403);
    // An operator of another workspace: in, until its workspace's tokens are revoked.
    const operator = await createUser(t.app.dataSource, { role: Role.ADMIN, operator: true });
    const operatorToken = await loginToken(t.graphqlUrl, operator.email);
    const { cookie } = await openSession(operatorToken);
    expect((await listJobs(`job=${SCAN_JOB}`, { cookie })).total).toBe(1);
    await gqlOk(t.graphqlUrl, RevokeAllTokensDocument, {}, operatorToken);
    expect((await fetch(`${dash}/api`, { headers: { cookie } })).status).toBe(401);
    // No longer an operator: the flag is read on every request, not taken from the session.
    const { cookie: adminCookie } = await openSession(adminToken);
    const { me } = await gqlOk(t.graphqlUrl, MeDocument, {}, adminToken);
    await changeUserInPlace(t.app.dataSource, me.id, { operator: false });
    try {
      expect((await fetch(`${dash}/api`, { headers: { cookie: adminCookie } })).status).toBe(403);
    } finally {
      await changeUserInPlace(t.app.dataSource, me.id, { operator: true });
    }
  });
});

describe('jobs dashboard switched off (JOB_DASHBOARD_ENABLED=false)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ JOB_DASHBOARD_ENABLED: 'false' });
  });
  afterAll(() => t.stop());

  it('should not be mounted', async () => {
    const token = await loginToken(t.graphqlUrl, TEST_ADMIN.email, TEST_ADMIN.password);
    for (const path of ['/admin/jobs/', '/admin/jobs/api']) {
      const res = await fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(404);
    }
    expect((await fetch(`${t.baseUrl}/admin/jobs/session`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });
});
