/**
 * The GraphQL operations of the funder pages and the shapes of their answers (the public schema's
 * duplicate-check and sharing-report types, as far as these pages read them).
 */

export type Verdict = 'BELOW_THRESHOLD' | 'NO_EQUIVALENT' | 'SIMILAR_AVAILABLE' | 'LIKELY_DUPLICATE';

/** Best case first: the order counts and legends list verdicts in. */
export const VERDICTS: readonly Verdict[] = ['LIKELY_DUPLICATE', 'SIMILAR_AVAILABLE', 'NO_EQUIVALENT', 'BELOW_THRESHOLD'];

export interface InstitutionRef {
  code: string;
  name: string;
  nameEn: string | null;
}

export interface Institution extends InstitutionRef {
  prefecture: string;
  health: 'UP' | 'DOWN';
}

/** `PurchaseProposalInput`. */
export interface ProposalInput {
  title: string;
  category: string | null;
  manufacturer: string | null;
  model: string | null;
  estimatedPrice: number;
  institution: string;
  fundingProgram: string | null;
  grantId: string | null;
  expectedHoursPerYear: number | null;
  keywords: string[];
}

export interface CandidateInstrument {
  id: string;
  name: string;
  nameEn: string | null;
  category: string;
  manufacturer: string | null;
  model: string | null;
  sharedExternally: boolean;
  remoteOperable: boolean;
  institution: InstitutionRef;
}

export interface Candidate {
  instrument: CandidateInstrument;
  score: number;
  reasons: string[];
  distanceKm: number | null;
  utilization: number;
  spareHoursPerYear: number;
  usableByRequester: boolean;
}

export interface DuplicateCheck {
  id: string;
  verdict: Verdict;
  threshold: number;
  proposal: Omit<ProposalInput, 'institution'> & { institution: InstitutionRef };
  candidates: Candidate[];
  checkedAt: string;
  checkedBy: string;
  digest: string;
  digestVerified: boolean;
  canonicalRecord: string;
  unavailableInstitutions: InstitutionRef[];
  batchId: string | null;
}

export const INSTITUTIONS = /* GraphQL */ `
  query FunderInstitutions {
    institutions {
      code
      name
      nameEn
      prefecture
      health
    }
  }
`;

const CHECK_FIELDS = /* GraphQL */ `
  fragment FunderCheck on DuplicateCheck {
    id
    verdict
    threshold
    checkedAt
    checkedBy
    batchId
    proposal {
      title
      category
      manufacturer
      model
      estimatedPrice
      institution {
        code
        name
        nameEn
      }
      fundingProgram
      grantId
      expectedHoursPerYear
      keywords
    }
    candidates {
      score
      reasons
      distanceKm
      utilization
      spareHoursPerYear
      usableByRequester
      instrument {
        id
        name
        nameEn
        category
        manufacturer
        model
        sharedExternally
        remoteOperable
        institution {
          code
          name
          nameEn
        }
      }
    }
    unavailableInstitutions {
      code
      name
      nameEn
    }
  }
`;

/** Everything the printable report shows, including the record the digest is taken over. */
export const DUPLICATE_CHECK = /* GraphQL */ `
  query FunderDuplicateCheck($id: ID!) {
    duplicateCheck(id: $id) {
      ...FunderCheck
      digest
      digestVerified
      canonicalRecord
    }
  }
  ${CHECK_FIELDS}
`;

export const CHECK_ONE = /* GraphQL */ `
  mutation FunderCheckPurchase($input: PurchaseProposalInput!) {
    checkDuplicatePurchase(input: $input) {
      id
    }
  }
`;

/** A batch's results table needs the verdict and the best candidate; the report page reads the rest. */
export const CHECK_MANY = /* GraphQL */ `
  mutation FunderCheckPurchases($inputs: [PurchaseProposalInput!]!) {
    checkDuplicatePurchases(inputs: $inputs) {
      id
      verdict
      batchId
      proposal {
        title
        institution {
          code
          name
          nameEn
        }
      }
      candidates {
        score
        instrument {
          id
          name
          nameEn
          institution {
            code
            name
            nameEn
          }
        }
      }
      unavailableInstitutions {
        code
        name
        nameEn
      }
    }
  }
`;

export const VERIFY_CHECK = /* GraphQL */ `
  query FunderVerifyCheck($id: ID!, $digest: String!) {
    verifyDuplicateCheck(id: $id, digest: $digest)
  }
`;

/** One row of a batch's results. */
export interface BatchResult {
  id: string;
  verdict: Verdict;
  batchId: string | null;
  proposal: { title: string; institution: InstitutionRef };
  candidates: { score: number; instrument: { id: string; name: string; nameEn: string | null; institution: InstitutionRef } }[];
  unavailableInstitutions: InstitutionRef[];
}

export interface NotSharedInstrument {
  id: string;
  name: string;
  nameEn: string | null;
  category: string;
  manufacturer: string | null;
  model: string | null;
  acquisitionPrice: number | null;
  acquiredOn: string | null;
}

export interface SharingReport {
  institution: InstitutionRef | null;
  fiscalYear: number;
  threshold: number;
  instrumentsAtOrAboveThreshold: number;
  sharedAtOrAboveThreshold: number;
  sharingRate: number;
  externalUseShare: number;
  utilization: number;
  /** Asked for institutions' reports only (the national one would repeat them all). */
  notShared?: NotSharedInstrument[];
  unavailableInstitutions: InstitutionRef[];
}

export const SHARING_REPORT = /* GraphQL */ `
  query FunderSharingReport($institution: ID, $fiscalYear: Int, $withList: Boolean!) {
    sharingReport(institution: $institution, fiscalYear: $fiscalYear) {
      institution {
        code
        name
        nameEn
      }
      fiscalYear
      threshold
      instrumentsAtOrAboveThreshold
      sharedAtOrAboveThreshold
      sharingRate
      externalUseShare
      utilization
      notShared @include(if: $withList) {
        id
        name
        nameEn
        category
        manufacturer
        model
        acquisitionPrice
        acquiredOn
      }
      unavailableInstitutions {
        code
        name
        nameEn
      }
    }
  }
`;
