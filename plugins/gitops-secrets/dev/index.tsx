/*
 * `npm start` in this folder: the card and the tab in a dev app, on fixtures
 * built with the common package's summarizeCluster (no backend needed).
 */
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { createDevApp } from '@backstage/dev-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import {
  EntityGitopsSecretsCard,
  EntityGitopsSecretsContent,
  gitopsSecretsApiRef,
  gitopsSecretsPlugin,
} from '../src';
import {
  clusterResource,
  clusterResourceFor,
  component,
  crdRaceCluster,
  erroredCluster,
  failingSecretCluster,
  managementCluster,
  noEsoCluster,
} from '../src/testing/fixtures';
import { MockGitopsSecretsApi } from '../src/testing/MockGitopsSecretsApi';

const noEso = clusterResourceFor('no-eso');
const crdRace = clusterResourceFor('crd-race');

const api = new MockGitopsSecretsApi({
  [stringifyEntityRef(clusterResource)]: [managementCluster()],
  [stringifyEntityRef(crdRace)]: [crdRaceCluster()],
  [stringifyEntityRef(noEso)]: [noEsoCluster()],
  [stringifyEntityRef(component)]: [
    managementCluster(),
    failingSecretCluster(),
    crdRaceCluster(),
    erroredCluster('edge-eu'),
  ],
});

const cardPage = (entity: Entity) => (
  <EntityProvider entity={entity}>
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <EntityGitopsSecretsCard />
      </Grid>
    </Grid>
  </EntityProvider>
);

createDevApp()
  .registerPlugin(gitopsSecretsPlugin)
  .registerApi({
    api: gitopsSecretsApiRef,
    deps: {},
    factory: () => api,
  })
  .addPage({
    path: '/management',
    title: 'Healthy cluster',
    element: cardPage(clusterResource),
  })
  .addPage({
    path: '/crd-race',
    title: 'CRD race',
    element: cardPage(crdRace),
  })
  .addPage({ path: '/no-eso', title: 'No ESO', element: cardPage(noEso) })
  .addPage({
    path: '/component',
    title: 'Component, 4 clusters',
    element: cardPage(component),
  })
  .addPage({
    path: '/tab',
    title: 'Tab',
    element: (
      <EntityProvider entity={component}>
        <EntityGitopsSecretsContent />
      </EntityProvider>
    ),
  })
  .render();
