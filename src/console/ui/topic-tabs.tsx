// The links between one topic's screens: details, messages, live tail, produce.

import { href } from "../router.js";

const TABS = [
  ["/topics/:topic", "Details"],
  ["/topics/:topic/messages", "Messages"],
  ["/topics/:topic/live", "Live tail"],
  ["/topics/:topic/produce", "Produce"],
] as const;

export function TopicTabs({ topic, current }: { topic: string; current: (typeof TABS)[number][0] }) {
  return (
    <nav class="tabs" aria-label={`Topic ${topic}`}>
      {TABS.map(([path, label]) => (
        <a key={path} href={href(path, { topic })} aria-current={path === current ? "page" : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}
