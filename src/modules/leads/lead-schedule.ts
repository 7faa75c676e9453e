import type { EntityManager } from 'typeorm';
import { ACTIVE_LEAD_STATUSES_SQL } from './lead-status';
import { DEFAULT_ACCEPT_TIMEOUT_DAYS } from '../campaigns/sequence';

/**
 * Recomputes when each active lead's next step is due, and why it waits, from its campaign and
 * sequence version (its own once started, the campaign's current one before). Delays count from
 * the last step sent (from when the lead was added, for the first step). A MESSAGE that needs the
 * invite accepted is due at the acceptance deadline, when the engine exits a lead still waiting.
 * Leads of a campaign that is not ACTIVE, of a workspace whose admin paused its sending, or
 * without a sender, are not due at all.
 */
export async function rescheduleLeads(em: EntityManager, campaignId: string, leadIds?: string[]): Promise<void> {
  await em.query(rescheduleSql('l.campaign_id = $2 AND ($3::uuid[] IS NULL OR l.id = ANY($3::uuid[]))'), [DEFAULT_ACCEPT_TIMEOUT_DAYS, campaignId, leadIds ?? null]);
}

/** rescheduleLeads for leads of any campaigns, by id (a batch of the engine's sends). */
export async function rescheduleLeadIds(em: EntityManager, leadIds: string[]): Promise<void> {
  if (leadIds.length === 0) return;
  await em.query(rescheduleSql('l.id = ANY($2::uuid[])'), [DEFAULT_ACCEPT_TIMEOUT_DAYS, leadIds]);
}

/** The statement; `$1` is the default acceptance timeout, `where` selects the leads with the parameters after it. */
const rescheduleSql = (where: string) => `
  UPDATE lead l SET (next_action_at, waiting_reason) = (
    SELECT CASE
             WHEN c.status <> 'ACTIVE' OR w.sending_paused OR l.account_id IS NULL OR s.id IS NULL THEN NULL
             WHEN s.kind = 'MESSAGE' AND l.status = 'invite_sent'
               THEN coalesce(l.invite_sent_at, l.last_step_sent_at, l.created_at)
                    + make_interval(days => coalesce(s.accept_timeout_days, $1))
             ELSE coalesce(l.last_step_sent_at, l.created_at) + make_interval(mins => s.delay_minutes)
           END,
           CASE
             WHEN c.status <> 'ACTIVE' THEN 'CAMPAIGN_' || c.status::text
             WHEN w.sending_paused THEN 'WORKSPACE_PAUSED'
             WHEN l.account_id IS NULL THEN 'NO_SENDER'
             WHEN s.id IS NULL THEN 'NO_NEXT_STEP'
             WHEN s.kind = 'MESSAGE' AND l.status = 'invite_sent' THEN 'WAITING_FOR_ACCEPT'
             ELSE 'WAITING_FOR_DELAY'
           END
    FROM campaign c
    JOIN workspace w ON w.id = c.workspace_id
    LEFT JOIN sequence_step s
      ON s.campaign_id = c.id
     AND s.version = coalesce(l.sequence_version, c.sequence_version)
     AND s.step_index = l.next_step_index
    WHERE c.id = l.campaign_id)
  WHERE ${where}
    AND l.status IN (${ACTIVE_LEAD_STATUSES_SQL})`;

/** Pins active leads without a sender to the campaign's senders, round robin in the order they were added. */
export async function assignSenders(em: EntityManager, campaignId: string): Promise<void> {
  await em.query(
    `WITH senders AS (
       SELECT account_id, (row_number() OVER (ORDER BY created_at, account_id) - 1) AS slot, count(*) OVER () AS n
       FROM campaign_sender WHERE campaign_id = $1
     ), targets AS (
       SELECT id, (row_number() OVER (ORDER BY created_at, id) - 1) AS rn
       FROM lead
       WHERE campaign_id = $1 AND account_id IS NULL AND status IN (${ACTIVE_LEAD_STATUSES_SQL})
     )
     UPDATE lead l SET account_id = s.account_id
     FROM targets t JOIN senders s ON s.slot = t.rn % s.n
     WHERE l.id = t.id`,
    [campaignId],
  );
}
