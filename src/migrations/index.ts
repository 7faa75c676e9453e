import { InitAuth1795613984201 } from './1795613984201-InitAuth';
import { CampaignDomain1795615079270 } from './1795615079270-CampaignDomain';
import { Engine1795615596564 } from './1795615596564-Engine';
import { Analytics1795615679621 } from './1795615679621-Analytics';
import { LiveEvents1795616500000 } from './1795616500000-LiveEvents';
import { Webhooks1795617300000 } from './1795617300000-Webhooks';
import { OperationsSecurity1795618100000 } from './1795618100000-OperationsSecurity';
import { Notifications1795618900000 } from './1795618900000-Notifications';
import { LiveEventNotifyRow1795619700000 } from './1795619700000-LiveEventNotifyRow';
import { AnalyticsTriggerPlans1795619800000 } from './1795619800000-AnalyticsTriggerPlans';
import { LoginThrottleReservations1795620000000 } from './1795620000000-LoginThrottleReservations';
import { OperatorsAndUserSessions1795620200000 } from './1795620200000-OperatorsAndUserSessions';
import { NotificationErrorStatusLines1795620300000 } from './1795620300000-NotificationErrorStatusLines';
import { LeadDueUnaccepted1795620400000 } from './1795620400000-LeadDueUnaccepted';

// Every migration class in order, listed explicitly so ts-node, dist/ and Jest run the same set.
export const MIGRATIONS: Function[] = [
  InitAuth1795613984201,
  CampaignDomain1795615079270,
  Engine1795615596564,
  Analytics1795615679621,
  LiveEvents1795616500000,
  Webhooks1795617300000,
  OperationsSecurity1795618100000,
  Notifications1795618900000,
  LiveEventNotifyRow1795619700000,
  AnalyticsTriggerPlans1795619800000,
  LoginThrottleReservations1795620000000,
  OperatorsAndUserSessions1795620200000,
  NotificationErrorStatusLines1795620300000,
  LeadDueUnaccepted1795620400000,
];
