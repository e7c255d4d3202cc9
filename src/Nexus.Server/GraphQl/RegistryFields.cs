using GraphQL;
using GraphQL.Types;
using Nexus.Scheduling;
using Nexus.Server.Api;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Services;

namespace Nexus.Server.GraphQl;

/// <summary>Schedules and services: <c>schedules</c>, <c>schedule</c> (a queue-limited caller sees only those of its
/// queues) and <c>services</c> (only callers without a queue limit, as on REST).</summary>
internal static class RegistryFields
{
    public static void AddQueries(ObjectGraphType query)
    {
        query.Field<ScheduleListResponse>("schedules", nullable: false).Description("Schedules by name; page with after = the previous page's next.")
            .Argument<StringGraphType>("after").Argument<IntGraphType>("limit")
            .ResolveAsync(async c =>
            {
                var caller = c.Require(Right.Read);
                var service = c.Service<INexusSchedules>();
                var size = Paging.Limit(c, 100);
                var page = await service.ListAsync(c.GetArgument<string?>("after"), size, c.Aborted());
                return new ScheduleListResponse([.. page.Where(s => ScheduleEndpoints.Visible(caller, service, s)).Select(ScheduleEndpoints.Response)], page.Count == size ? page[^1].Name : null);
            });
        query.Field<ScheduleResponse>("schedule", nullable: false).Description("One schedule (not found when you may not see it).")
            .Argument<NonNullGraphType<StringGraphType>>("name")
            .ResolveAsync(async c =>
            {
                c.Require(Right.Read);
                return ScheduleEndpoints.Response(await ScheduleEndpoints.LoadAsync(c.Http(), c.Service<INexusSchedules>(), c.GetArgument<string>("name")));
            });
        query.Field<List<ServiceInstanceResponse>>("services", nullable: false).Description("Service instances (filters: service, capabilities — all must match — and health).")
            .Argument<StringGraphType>("service").Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("capabilities").Argument<StringGraphType>("health")
            .ResolveAsync(async c =>
            {
                c.RequireUnlimited(Right.Read);
                var registry = c.Service<INexusServices>();
                var health = c.GetArgument<string?>("health") is { } h
                    ? ServiceNames.ParseHealth(h) ?? throw ApiProblemException.Invalid("health", "must be starting, healthy or critical")
                    : (ServiceHealth?)null;
                var list = await registry.ListAsync(c.GetArgument<string?>("service"), c.GetArgument<List<string>?>("capabilities") ?? [], health, c.Aborted());
                return list.Select(i => ServiceEndpoints.Response(i, registry)).ToList();
            });
    }
}
