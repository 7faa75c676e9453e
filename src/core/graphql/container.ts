import type { ContainerType } from 'type-graphql';

/**
 * The resolver instances app.ts wired by hand. TypeGraphQL's build context is process-global, so
 * the container travels in each request's context: two apps in one process never share resolvers.
 */
export class ResolverContainer implements ContainerType {
  private readonly byClass = new Map<Function, object>();

  constructor(instances: object[]) {
    for (const instance of instances) this.byClass.set(instance.constructor, instance);
  }

  get(someClass: Function): object {
    const instance = this.byClass.get(someClass);
    if (!instance) throw new Error(`No instance registered for ${someClass.name}`);
    return instance;
  }
}
