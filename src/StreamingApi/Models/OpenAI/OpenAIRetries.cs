using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// The retries the OpenAI SDK made on its own, kept when this client replaced it: a call that fails before any byte of
/// the answer arrives (a transport error, 408, 429, 500, 502, 503, 504) is tried again up to three times, with
/// exponential back-off from 0.8 s or the server's <c>Retry-After</c>, by Microsoft.Extensions.Http.Resilience. The
/// handler never sees a streamed body, so an answer that broke off is never asked for twice.
/// </summary>
public static class OpenAIRetries
{
    private const int MaxRetries = 3;

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(800);

    public static IHttpClientBuilder AddOpenAIRetries(this IHttpClientBuilder client)
    {
        client.AddResilienceHandler("openai-retry", pipeline => pipeline.AddRetry(Strategy()));
        return client;
    }

    /// <summary>An HTTP client with the same retries, for a client made without a service provider (tests, tools).</summary>
    internal static HttpClient CreateHttpClient() =>
        new(new ResilienceHandler(new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(Strategy()).Build())
        {
            InnerHandler = new SocketsHttpHandler(),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    private static HttpRetryStrategyOptions Strategy() => new()
    {
        MaxRetryAttempts = MaxRetries,
        Delay = FirstDelay,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
        {
            { Exception: HttpRequestException } => true,
            { Result.StatusCode: HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
                or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
            _ => false,
        }),
    };
}
