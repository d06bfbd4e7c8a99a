using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace StreamingApi.Models.Gemini;

public static class GeminiRetries
{
    /// <summary>
    /// Gemini's calls that fail before any byte of an answer (a transport error, a 5xx, a 408) are tried again,
    /// <c>Gemini:MaxRetries</c> times with exponential back-off from <c>Gemini:RetryDelayMs</c>, by
    /// Microsoft.Extensions.Http.Resilience. The handler never sees a streamed body, so an answer that broke off is never
    /// asked for twice; a 429 is reported at once, with its retry delay, rather than waited out here.
    /// </summary>
    public static IHttpClientBuilder AddGeminiRetries(this IHttpClientBuilder client)
    {
        client.AddResilienceHandler("gemini-retry", (pipeline, context) =>
        {
            var gemini = context.ServiceProvider.GetRequiredService<IOptions<GeminiOptions>>().Value;
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, gemini.MaxRetries),
                Delay = TimeSpan.FromMilliseconds(gemini.RetryDelayMs),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(gemini.MaxRetries > 0 && args.Outcome switch
                {
                    { Exception: HttpRequestException } => true,
                    { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == System.Net.HttpStatusCode.RequestTimeout,
                    _ => false,
                }),
            });
        });
        return client;
    }
}
