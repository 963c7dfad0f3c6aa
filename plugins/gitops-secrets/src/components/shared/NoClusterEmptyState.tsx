import { Entity } from '@backstage/catalog-model';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  ANNOTATION_CLUSTER_NAME,
  ANNOTATION_NAMESPACES,
} from '@golden-gitops/plugin-gitops-secrets-common';
import { ANNOTATION_CLUSTER_PATH } from '../../conditions';

const useStyles = makeStyles(theme => ({
  pre: {
    margin: theme.spacing(1, 0),
    padding: theme.spacing(1),
    // Wrapped, not scrolled: a scrolling region would need to be focusable.
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    fontSize: '0.8rem',
    borderRadius: theme.shape.borderRadius,
    background: theme.palette.background.default,
    color: theme.palette.text.primary,
  },
}));

const RESOURCE_SNIPPET = `apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  annotations:
    ${ANNOTATION_CLUSTER_NAME}: <cluster name in gitopsSecrets.clusters>
    ${ANNOTATION_CLUSTER_PATH}: clusters/<cluster>   # its folder in the GitOps repository
spec:
  type: kubernetes-cluster`;

const COMPONENT_SNIPPET = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  annotations:
    ${ANNOTATION_NAMESPACES}: <namespace>[,<namespace>]
    # or: backstage.io/kubernetes-id: <label value on its objects>
spec:
  dependsOn:
    - resource:default/<kubernetes-cluster resource>`;

/** No cluster maps to the entity: say how to map one, for the entity's own kind. */
export function NoClusterEmptyState(props: { entity: Entity }) {
  const classes = useStyles();
  const isComponent =
    props.entity.kind.toLocaleLowerCase('en-US') === 'component';
  return (
    <div data-testid="no-cluster">
      <Typography variant="body2">
        <strong>No cluster is mapped to this entity.</strong>{' '}
        {isComponent
          ? 'A Component shows the ExternalSecrets and Flux objects of its namespaces (or of its backstage.io/kubernetes-id label) on the clusters it depends on. Add the annotation and a dependency on the cluster’s Resource:'
          : 'Annotate the kubernetes-cluster Resource with the name its cluster has in the gitops-secrets backend configuration:'}
      </Typography>
      <pre className={classes.pre}>
        <code>{isComponent ? COMPONENT_SNIPPET : RESOURCE_SNIPPET}</code>
      </pre>
    </div>
  );
}
