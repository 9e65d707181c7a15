// Emulates an Azure OpenAI resource (https://{resource}.openai.azure.com): the deployment routes
// /openai/deployments/{deployment}/{chat/completions,completions,embeddings}?api-version=…, the
// preview /openai/responses and the v1 routes /openai/v1/{chat/completions,responses,embeddings}.
// `new AzureOpenAI({ endpoint: emulator.url, apiVersion, apiKey, deployment })` or
// `new OpenAI({ baseURL: emulator.url + '/openai/v1' })`. Responses report the deployment's
// underlying model, as Azure does; streams open with Azure's prompt-filter-only chunk.
import { newId } from './ids.js';
import { ProviderEmulator, type EmulatorOptions, type ProviderDialect } from './emulator-server.js';
import { openAiSnapshotModel } from './model-names.js';
import { azureErrorResponse, checkAzureCredentials } from './openai-errors.js';
import { openAiRoute, type OpenAiFlavour } from './openai-routes.js';

export interface AzureOpenAIEmulatorOptions extends EmulatorOptions {
  /** Deployment name → underlying model reported in responses; unknown deployments get the OpenAI snapshot rule. */
  deployments?: Record<string, string>;
}

function azureDialect(deployments: Record<string, string>): ProviderDialect {
  const flavour: OpenAiFlavour = {
    azure: true,
    responseModel: (call) => {
      // Deployment routes name it in the path; the v1 routes put the deployment name in `model`.
      const deployment = call.params.deployment ?? String(call.body.model);
      return call.reply.model ?? deployments[deployment] ?? openAiSnapshotModel(deployment);
    },
    badRequest: (message, param) => azureErrorResponse(400, { message, param, code: 'BadRequest' }),
  };
  return {
    provider: 'azure-openai',
    title: 'Azure OpenAI',
    realHost: '{resource}.openai.azure.com',
    sdkBasePath: '',
    routes: [
      openAiRoute('chat.completions', '/openai/deployments/{deployment}/chat/completions', flavour),
      openAiRoute('completions', '/openai/deployments/{deployment}/completions', flavour),
      openAiRoute('embeddings', '/openai/deployments/{deployment}/embeddings', flavour),
      openAiRoute('responses', '/openai/responses', flavour),
      openAiRoute('chat.completions', '/openai/v1/chat/completions', flavour),
      openAiRoute('responses', '/openai/v1/responses', flavour),
      openAiRoute('embeddings', '/openai/v1/embeddings', flavour),
    ],
    responseHeaders: () => {
      const id = newId.uuid();
      return { 'apim-request-id': id, 'x-request-id': id, 'x-ms-region': 'East US' };
    },
    errorResponse: azureErrorResponse,
    checkCredentials: checkAzureCredentials,
  };
}

/** Starts an Azure OpenAI emulator; its `baseUrl` is the resource endpoint (the SDK appends /openai). */
export function startAzureOpenAIEmulator(options: AzureOpenAIEmulatorOptions = {}): Promise<ProviderEmulator> {
  return ProviderEmulator.start(azureDialect(options.deployments ?? {}), options);
}
