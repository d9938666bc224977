/**
 * Categories and grouping (constructor.go calcApplicationCategories, groupCustomApplications,
 * joinDBClusterComponents): an application's category comes from its annotation or the project's
 * patterns; applications annotated with a custom name, and pods of one database cluster, are merged into
 * one application whose members are removed from the world.
 */
import type { ProjectSettings } from '../sources/database/records.js';
import { ApplicationKind, newApplicationId } from './application-id.js';
import { ANNOTATION, appKey, getAnnotation, type Application, type Applications } from './applications.js';
import { calcApplicationCategory } from './categories.js';

export type CategorySettings = Pick<ProjectSettings, 'applicationCategorySettings'>;

export function calcApplicationCategories(apps: Applications, settings: CategorySettings): void {
  for (const app of apps.values()) {
    const annotation = getAnnotation(app, ANNOTATION.category);
    app.category = annotation !== '' ? annotation : calcApplicationCategory(settings, app.id.namespace, app.id.name);
  }
}

interface AppGroup {
  app: Application;
  members: Map<string, Application>;
}

/** groupApplications: members' instances move to the group, members leave the world */
function groupApplications(apps: Applications, groups: Map<string, AppGroup>, settings: CategorySettings): void {
  for (const group of groups.values()) {
    const categories = new Set<string>();
    for (const app of group.members.values()) {
      for (const instance of app.instances) {
        instance.owner = group.app;
        group.app.instances.push(instance);
      }
      if (app.category !== '') categories.add(app.category);
      apps.delete(app.id);
    }
    // StringSet.GetFirst: the smallest in byte order
    const first = [...categories].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))[0] ?? '';
    group.app.category = first !== '' ? first : calcApplicationCategory(settings, group.app.id.namespace, group.app.id.name);
  }
}

export function groupCustomApplications(apps: Applications, clusterId: string, settings: CategorySettings): void {
  const groups = new Map<string, AppGroup>();
  for (const app of apps.values()) {
    const customName = getAnnotation(app, ANNOTATION.customName);
    if (customName === '') continue;
    const id = newApplicationId(clusterId, app.id.namespace, ApplicationKind.CustomApplication, customName);
    let group = groups.get(appKey(id));
    if (!group) {
      group = { app: apps.getOrCreate(id, true), members: new Map() };
      groups.set(appKey(id), group);
    }
    group.members.set(appKey(app.id), app);
  }
  groupApplications(apps, groups, settings);
}

export function joinDBClusterComponents(apps: Applications, clusterId: string, settings: CategorySettings): void {
  const clusters = new Map<string, AppGroup>();
  for (const app of apps.values()) {
    for (const instance of app.instances) {
      const clusterName = instance.clusterName?.value() ?? '';
      if (clusterName === '') continue;
      const id = newApplicationId(clusterId, app.id.namespace, ApplicationKind.DatabaseCluster, clusterName);
      let cluster = clusters.get(appKey(id));
      if (!cluster) {
        cluster = { app: apps.getOrCreate(id, false), members: new Map() };
        clusters.set(appKey(id), cluster);
      }
      if (app.clusterManager !== '') cluster.app.clusterManager = app.clusterManager;
      cluster.members.set(appKey(app.id), app);
    }
  }
  groupApplications(apps, clusters, settings);
}
