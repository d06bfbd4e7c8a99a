using Microsoft.Extensions.Validation;

namespace StreamingApi.Problems;

public static class ProblemServiceCollectionExtensions
{
    /// <summary>RFC 9457 problem details for every error before a stream starts: validation, binding, unknown routes.</summary>
    public static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = UnparsedQueryValues.Describe);
        services.AddValidation();
        services.PostConfigure<ValidationOptions>(CachedValidatableInfo.Apply); // each type described once, not per request
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<StoreUnavailableExceptionHandler>();
        // Binding failures throw, so that the handler above can say which parameter was wrong.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }
}
