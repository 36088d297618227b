import { Foundation1763800000000 } from './1763800000000-foundation.js';
import { Jobs1763800050000 } from './1763800050000-jobs.js';
import { Domain1763800100000 } from './1763800100000-domain.js';
import { Streams1763800200000 } from './1763800200000-streams.js';
import { Pipeline1763800300000 } from './1763800300000-pipeline.js';
import { Reliability1763800400000 } from './1763800400000-reliability.js';
import { NoisyVoiceprints1763800500000 } from './1763800500000-noisy-voiceprints.js';
import { TombstoneExpiry1763800600000 } from './1763800600000-tombstone-expiry.js';
import { TombstoneExpiryPerNetwork1763800700000 } from './1763800700000-tombstone-expiry-per-network.js';
import { AppDevices1763801600000 } from './1763801600000-app-devices.js';
import { InteractionSearch1763801910000 } from './1763801910000-interaction-search.js';
import { SignIn1763803100000 } from './1763803100000-sign-in.js';
import { AccountDeletion1763803200000 } from './1763803200000-account-deletion.js';
import { UnattributedVoices1763803300000 } from './1763803300000-unattributed-voices.js';
import { Memories1763803400000 } from './1763803400000-memories.js';
import { Recordings1763803500000 } from './1763803500000-recordings.js';
import { InteractionCounts1763803600000 } from './1763803600000-interaction-counts.js';
import { AccessChangeNotices1763803750000 } from './1763803750000-access-change-notices.js';
import { DeviceAndServiceNotices1763803890000 } from './1763803890000-device-and-service-notices.js';
import { InteractionTypeCounts1763803800000 } from './1763803800000-interaction-type-counts.js';
import { InteractionEmbeddings1763803870000 } from './1763803870000-interaction-embeddings.js';
import { InteractionEmbeddingVectors1763803880000 } from './1763803880000-interaction-embedding-vectors.js';
import { InteractionSearchByPerson1763803895000 } from './1763803895000-interaction-search-by-person.js';
import { StreamQualityBasis1763803900000 } from './1763803900000-stream-quality-basis.js';
import { StreamQualityBasisCheck1763803910000 } from './1763803910000-stream-quality-basis-check.js';
import { InteractionsInsertAutovacuum1763803920000 } from './1763803920000-interactions-insert-autovacuum.js';

/** Every migration, in order. New migrations are appended here (explicit list: works in ts-jest and compiled ESM). */
export const ALL_MIGRATIONS = [
  Foundation1763800000000,
  Jobs1763800050000,
  Domain1763800100000,
  Streams1763800200000,
  Pipeline1763800300000,
  Reliability1763800400000,
  NoisyVoiceprints1763800500000,
  TombstoneExpiry1763800600000,
  TombstoneExpiryPerNetwork1763800700000,
  AppDevices1763801600000,
  InteractionSearch1763801910000,
  SignIn1763803100000,
  AccountDeletion1763803200000,
  UnattributedVoices1763803300000,
  Memories1763803400000,
  Recordings1763803500000,
  InteractionCounts1763803600000,
  AccessChangeNotices1763803750000,
  InteractionTypeCounts1763803800000,
  InteractionEmbeddings1763803870000,
  InteractionEmbeddingVectors1763803880000,
  DeviceAndServiceNotices1763803890000,
  InteractionSearchByPerson1763803895000,
  StreamQualityBasis1763803900000,
  StreamQualityBasisCheck1763803910000,
  InteractionsInsertAutovacuum1763803920000,
];
