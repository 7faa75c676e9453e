import { IsEmail, IsNotEmpty, IsUUID, MaxLength, MinLength } from 'class-validator';
import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { Role } from '../../core/graphql/viewer';
import { User } from './user.entity';
import { Workspace } from './workspace.entity';

export const PASSWORD_MIN_LENGTH = 12;

@ObjectType({ description: 'A session token; send it as `Authorization: Bearer <token>` or in graphql-ws connectionParams' })
export class AuthPayload {
  @Field()
  token!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => User)
  user!: User;
}

@InputType()
export class CreateUserInput {
  @Field()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @Field({ description: `At least ${PASSWORD_MIN_LENGTH} characters` })
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(256)
  password!: string;

  @Field(() => Role, { defaultValue: Role.MEMBER })
  role!: Role;
}

@InputType()
export class CreateWorkspaceInput {
  @Field()
  @IsNotEmpty()
  @MaxLength(120)
  name!: string;

  @Field({ description: 'Email of the first admin of the new workspace' })
  @IsEmail()
  @MaxLength(254)
  adminEmail!: string;

  @Field()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(256)
  adminPassword!: string;
}

@ObjectType()
export class CreateWorkspacePayload {
  @Field(() => Workspace)
  workspace!: Workspace;

  @Field(() => User)
  admin!: User;
}

@ArgsType()
export class ChangePasswordArgs {
  @Field()
  @IsNotEmpty()
  @MaxLength(256)
  currentPassword!: string;

  @Field({ description: `At least ${PASSWORD_MIN_LENGTH} characters` })
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(256)
  newPassword!: string;
}

@ArgsType()
export class UserIdArgs {
  @Field(() => ID)
  @IsUUID()
  userId!: string;
}

@ArgsType()
export class SetUserRoleArgs extends UserIdArgs {
  @Field(() => Role)
  role!: Role;
}

@ArgsType()
export class SetOperatorArgs extends UserIdArgs {
  @Field()
  operator!: boolean;
}
