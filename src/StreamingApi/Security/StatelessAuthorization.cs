using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StreamingApi.Security;

/// <summary>
/// ASP.NET Core registers the services that evaluate a policy as transient: each request with a policy made the policy
/// evaluator, the authorization service and the four services it asks for again. The framework's implementations keep
/// no state of a request (the handler provider keeps the handlers, and every handler here is a singleton or keeps
/// nothing), so they are registered once for the application instead.
/// </summary>
internal static class StatelessAuthorization
{
    public static IServiceCollection AddStatelessAuthorization(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IPolicyEvaluator, PolicyEvaluator>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, AuthorizationMiddlewareResultHandler>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationService, DefaultAuthorizationService>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationHandlerProvider, DefaultAuthorizationHandlerProvider>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationHandlerContextFactory, DefaultAuthorizationHandlerContextFactory>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationEvaluator, DefaultAuthorizationEvaluator>());
        return services;
    }
}
