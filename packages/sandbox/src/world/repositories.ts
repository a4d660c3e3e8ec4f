import { Reviewer } from './model';

/** What the sandbox needs to know to grow one repository's history. */
export interface RepositoryDefinition {
  name: string;
  description: string;
  language: 'Python' | 'TypeScript' | 'Go';
  team: 'team-payments' | 'team-storefront';
  developers: string[];
  productionReviewers: Reviewer[];
  productionWaitTimerMinutes: number;
  /** Subjects of commit messages ("Retry <subject>"). */
  subjects: string[];
  /** Source files changes touch. */
  files: string[];
  /** Dependencies dependabot bumps. */
  dependencies: string[];
}

const payments: Pick<RepositoryDefinition, 'team' | 'developers'> = {
  team: 'team-payments',
  developers: ['alice', 'bob', 'alice', 'bob', 'carol'],
};
const storefront: Pick<RepositoryDefinition, 'team' | 'developers'> = {
  team: 'team-storefront',
  developers: ['carol', 'dave', 'carol', 'dave', 'bob'],
};

/** The repositories of the demo (see examples/entities.yaml). */
export const REPOSITORIES: readonly RepositoryDefinition[] = [
  {
    name: 'payments-api',
    description: 'Card payment capture and refunds.',
    language: 'Python',
    ...payments,
    productionReviewers: [
      { type: 'Team', slug: 'team-payments' },
      { type: 'User', login: 'alice' },
    ],
    productionWaitTimerMinutes: 5,
    subjects: [
      'idempotent payment captures',
      'refund webhook retries',
      'currency rounding in fees',
      'partial refunds endpoint',
      '3-D Secure challenge flow',
      'capture timeout handling',
      'PSP error mapping',
      'settlement report export',
      'card fingerprint cache',
      'chargeback notifications',
    ],
    files: [
      'src/payments/capture.py',
      'src/payments/refunds.py',
      'src/payments/fees.py',
      'src/payments/psp_client.py',
      'src/handlers/webhook.py',
      'src/handlers/api.py',
      'tests/test_capture.py',
      'tests/test_refunds.py',
      'template.yaml',
      'README.md',
    ],
    dependencies: ['boto3', 'pydantic', 'stripe', 'aws-lambda-powertools'],
  },
  {
    name: 'ledger-worker',
    description: 'Posts captured payments to the double-entry ledger.',
    language: 'Python',
    ...payments,
    productionReviewers: [{ type: 'Team', slug: 'team-payments' }],
    productionWaitTimerMinutes: 0,
    subjects: [
      'ledger posting batches',
      'journal entry validation',
      'SQS redelivery handling',
      'balance snapshot job',
      'multi-currency postings',
      'dead-letter replay',
      'posting idempotency keys',
    ],
    files: [
      'src/ledger/postings.py',
      'src/ledger/journal.py',
      'src/worker/consumer.py',
      'src/worker/replay.py',
      'tests/test_postings.py',
      'template.yaml',
    ],
    dependencies: ['boto3', 'sqlalchemy', 'psycopg', 'aws-lambda-powertools'],
  },
  {
    name: 'storefront-web',
    description: 'The customer-facing web shop.',
    language: 'TypeScript',
    ...storefront,
    productionReviewers: [{ type: 'Team', slug: 'team-storefront' }],
    productionWaitTimerMinutes: 0,
    subjects: [
      'product detail page',
      'cart drawer',
      'checkout button state',
      'image lazy loading',
      'search suggestions',
      'accessibility of the menu',
      'price formatting',
      'wishlist sync',
    ],
    files: [
      'src/pages/product/[id].tsx',
      'src/components/CartDrawer.tsx',
      'src/components/SearchBox.tsx',
      'src/lib/price.ts',
      'src/lib/api.ts',
      'src/styles/theme.ts',
      'package.json',
      'package-lock.json',
    ],
    dependencies: ['next', 'react', 'swr', '@testing-library/react'],
  },
  {
    name: 'catalog-search',
    description: 'Product search and facets.',
    language: 'Go',
    ...storefront,
    productionReviewers: [{ type: 'Team', slug: 'team-storefront' }],
    productionWaitTimerMinutes: 0,
    subjects: [
      'facet counts',
      'synonym expansion',
      'index refresh',
      'query timeouts',
      'typo tolerance',
      'ranking by availability',
    ],
    files: [
      'internal/search/query.go',
      'internal/search/facets.go',
      'internal/index/refresh.go',
      'cmd/server/main.go',
      'internal/search/query_test.go',
      'go.mod',
      'go.sum',
    ],
    dependencies: [
      'github.com/opensearch-project/opensearch-go',
      'github.com/aws/aws-sdk-go-v2',
      'go.uber.org/zap',
    ],
  },
  {
    name: 'checkout-bff',
    description: 'Backend-for-frontend of the checkout flow.',
    language: 'TypeScript',
    ...storefront,
    productionReviewers: [{ type: 'Team', slug: 'team-storefront' }],
    productionWaitTimerMinutes: 0,
    subjects: [
      'address validation',
      'shipping options',
      'payment intent creation',
      'basket totals',
      'promo codes',
      'session expiry',
    ],
    files: [
      'src/routes/checkout.ts',
      'src/routes/basket.ts',
      'src/clients/payments.ts',
      'src/clients/shipping.ts',
      'src/routes/checkout.test.ts',
      'package.json',
      'package-lock.json',
    ],
    dependencies: ['fastify', 'zod', 'undici', 'pino'],
  },
  {
    name: 'python-service',
    description: 'The seed pipeline as a template: SAM, canary, approvals.',
    language: 'Python',
    ...payments,
    productionReviewers: [{ type: 'Team', slug: 'team-payments' }],
    productionWaitTimerMinutes: 0,
    subjects: [
      'health check handler',
      'smoke tests',
      'canary alarms',
      'structured logging',
      'OIDC deploy role',
      'SAM deployment preference',
    ],
    files: [
      'src/app.py',
      'tests/test_app.py',
      'template.yaml',
      '.github/workflows/deploy.yml',
      'RELEASING.md',
    ],
    dependencies: ['boto3', 'pytest', 'aws-lambda-powertools'],
  },
];

export const ORGANISATION_LOGIN = 'acme';
export const PROMOTION_PATH = ['dev', 'staging', 'production'] as const;
