using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Nexus.Server.Api;
using Nexus.Server.Auth;
using Nexus.Server.Hosting;

namespace Nexus.Server.RateLimiting;

/// <summary>One token bucket per caller: per API key id, JWT subject (or, without one, its jti or the token's hash),
/// bootstrap/anonymous name, and per client
/// address for requests without valid credentials. A refused request gets 429 problem+json with Retry-After.
/// Runs after authentication, so that the bucket is the caller's, not the address's.</summary>
internal static class RateLimitSetup
{
    public static IServiceCollection AddNexusRateLimits(this IServiceCollection services, RateLimitOptions options)
    {
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (options.PermitsPerSecond <= 0) return RateLimitPartition.GetNoLimiter("off");
                return RateLimitPartition.GetTokenBucketLimiter(PartitionOf(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.Burst,
                    TokensPerPeriod = options.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = async (context, _) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 1;
                await Problems.WriteAsync(context.HttpContext, 429, "rate-limited", "Too many requests",
                    $"Rate limit reached ({options.PermitsPerSecond} requests per second, bursts of {options.Burst}); retry after {seconds.ToString(CultureInfo.InvariantCulture)} s.",
                    null, seconds);
            };
        });
        return services;
    }

    private static string PartitionOf(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            if (context.User.FindFirst(Caller.BucketClaim)?.Value is { } bucket) return bucket;
            var caller = Caller.From(context.User);
            return caller.KeyId is { } key ? "key:" + key : "caller:" + caller.Name;
        }
        return "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
