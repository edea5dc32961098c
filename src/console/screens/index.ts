// Every screen, in navigation order. A screen for a new API (connectors, transactions) is
// one module and one line here; it appears only where the server's OpenAPI document has its routes.

import { groupScreen } from "./group.js";
import { groupsScreen } from "./groups.js";
import { liveScreen } from "./live.js";
import { messagesScreen } from "./messages.js";
import { overviewScreen } from "./overview.js";
import { produceScreen } from "./produce.js";
import { replicationScreen } from "./replication.js";
import { schemasScreen, subjectScreen } from "./schemas.js";
import type { Screen } from "./screen.js";
import { tokensScreen } from "./tokens.js";
import { topicScreen } from "./topic.js";
import { newTopicScreen } from "./topic-new.js";
import { topicsScreen } from "./topics.js";

export const SCREENS: Screen[] = [
  overviewScreen,
  topicsScreen,
  newTopicScreen,
  topicScreen,
  messagesScreen,
  liveScreen,
  produceScreen,
  groupsScreen,
  groupScreen,
  tokensScreen,
  replicationScreen,
  schemasScreen,
  subjectScreen,
];
