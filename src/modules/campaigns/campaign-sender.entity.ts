import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { LinkedInAccount } from '../accounts';
import { Campaign } from './campaign.entity';

/** A sender account assigned to a campaign; each lead is pinned to one of them. */
@Entity({ name: 'campaign_sender' })
export class CampaignSender {
  @PrimaryColumn({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Index()
  @PrimaryColumn({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => Campaign, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: Campaign;

  @ManyToOne(() => LinkedInAccount, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: LinkedInAccount;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
