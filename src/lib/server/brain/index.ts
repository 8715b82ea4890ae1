/** The brain chosen by configuration. */
import type { ServerConfig } from '../config';
import { LocalBrain } from './local-brain';
import { OpenAiBrain } from './openai-brain';
import type { ConversationHistory } from './history';
import type { BrainFailure } from './openai-request';
import type { Brain } from './types';

export type * from './types';
export { LocalBrain } from './local-brain';
export { OpenAiBrain } from './openai-brain';

/** `local` unless configured for an OpenAI-compatible endpoint. */
export function createBrain(
	config: ServerConfig,
	onFailure?: (clientId: string, failure: BrainFailure) => void,
	history?: ConversationHistory
): Brain {
	if (config.brain === 'openai') {
		if (!config.llmBaseUrl) throw new Error('BRAIN=openai needs LLM_BASE_URL');
		return new OpenAiBrain({
			baseUrl: config.llmBaseUrl,
			model: config.llmModel,
			apiKey: config.llmApiKey,
			timeoutMs: config.llmTimeoutMs,
			vision: config.llmVision,
			maxHistory: config.llmMaxHistory,
			systemPrompt: config.llmSystemPrompt,
			onFailure,
			history
		});
	}
	return new LocalBrain({ chunkDelayMs: config.brainChunkDelayMs });
}
