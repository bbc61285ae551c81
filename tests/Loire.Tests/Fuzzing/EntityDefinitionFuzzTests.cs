using CsCheck;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Entities;
using Loire.Grains;
using Loire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.Tests.Fuzzing;

/// <summary>
/// Entity definitions come from whoever may manage the namespace. Whatever the name and settings, the broker creates
/// the entity under that name, or refuses with InvalidArgument (or AlreadyExists) and creates nothing, through the
/// administration client and for a caller that reaches the entity grain directly with a definition of its own.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Fuzz")]
public sealed class EntityDefinitionFuzzTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly LoireErrorReason[] RefusalReasons =
        [LoireErrorReason.InvalidArgument, LoireErrorReason.MessagingEntityAlreadyExists, LoireErrorReason.MessagingEntityNotFound];

    private static readonly Gen<TimeSpan> Duration = Gen.Frequency(
        (3, Gen.OneOf(TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.MaxValue, TimeSpan.MinValue, TimeSpan.FromTicks(1), TimeSpan.FromDays(400))),
        (1, Gen.TimeSpan));

    private static readonly Gen<EntityOptions> HostileOptions = Gen.Select(
        Gen.Select(Duration, Gen.Int[-2, 2000], Duration, Gen.Bool, Duration),
        Gen.Select(Gen.Long[-2, 2_000_000], Gen.Long[-2, 10].Select(n => n < 0 ? (long?)null : n), Gen.Int[-1, 5], FuzzValues.EntityName, Gen.Int[-1, 2_000_000]),
        Duration,
        (a, b, autoDelete) => new EntityOptions
        {
            LockDuration = a.Item1,
            MaxDeliveryCount = a.Item2,
            DefaultMessageTimeToLive = a.Item3,
            RequiresDuplicateDetection = a.Item4,
            DuplicateDetectionHistoryTimeWindow = a.Item5,
            MaxSizeInMegabytes = b.Item1,
            MaxMessageCount = b.Item2,
            PartitionCount = b.Item3,
            ForwardTo = b.Item4,
            MaxMessageSizeInKilobytes = b.Item5,
            AutoDeleteOnIdle = autoDelete,
        });

    /// <summary>Half the definitions change nothing but the name and kind, so that some pass.</summary>
    private static readonly Gen<EntityOptions> Options = Gen.Frequency((1, Gen.Const(() => new EntityOptions())), (1, HostileOptions));

    [Fact]
    public async Task AdministrationClientCreatesUnderTheNameOrRefuses()
    {
        var admin = fixture.Client.CreateAdministrationClient();
        var outcome = new FuzzOutcome();
        await Gen.Select(FuzzValues.EntityName, Gen.Bool, Gen.Int[1, 200]).SampleAsync(async (name, topic, maxDeliveries) =>
        {
            try
            {
                if (topic)
                {
                    await admin.CreateTopicAsync(new CreateTopicOptions(name!));
                }
                else
                {
                    await admin.CreateQueueAsync(new CreateQueueOptions(name!) { MaxDeliveryCount = maxDeliveries });
                }
            }
            catch (Exception e) when (e is LoireException or ArgumentException)
            {
                if (e is LoireException refusal)
                {
                    outcome.Refused(refusal, RefusalReasons);
                }

                Assert.NotNull(EntityPath.GetQueueOrTopicError(name));
                return;
            }

            outcome.Stored();
            Assert.Null(EntityPath.GetQueueOrTopicError(name));
            Assert.True(topic ? await admin.TopicExistsAsync(name!) : await admin.QueueExistsAsync(name!));
            await (topic ? admin.DeleteTopicAsync(name!) : admin.DeleteQueueAsync(name!));
        }, time: FuzzBudget.Seconds(inSuite: 3), threads: 1, print: t => $"{(t.Item2 ? "topic" : "queue")} '{t.Item1}'");

        outcome.Report(output, "administration creates");
    }

    [Fact]
    public async Task RawGrainCreatesStoreExactlyWhatTheyValidate()
    {
        var catalog = fixture.Cluster.Client.GetGrain<IEntityCatalogGrain>(0);
        var outcome = new FuzzOutcome();
        var definitions = Gen.Select(FuzzValues.EntityName, FuzzValues.EntityName, Gen.Int[0, 9], Gen.OneOf(EntityKind.Queue, EntityKind.Topic, EntityKind.Subscription), Options);
        await definitions.SampleAsync(async (key, otherPath, pathChoice, kind, options) =>
        {
            // Orleans itself refuses an empty grain key before any call.
            var grainKey = string.IsNullOrWhiteSpace(key) ? "f" + key : key;
            var path = pathChoice == 0 ? otherPath! : grainKey;
            var grain = EntityGrains.Get(fixture.Cluster.Client, kind == EntityKind.Topic ? EntityKind.Topic : EntityKind.Queue, grainKey);
            var description = new EntityDescription(path, kind, options, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
            try
            {
                await grain.CreateAsync(description);
            }
            catch (LoireException refusal)
            {
                outcome.Refused(refusal, RefusalReasons);
                if (refusal.Reason != LoireErrorReason.MessagingEntityAlreadyExists)
                {
                    Assert.Null(await FindAsync(catalog, grainKey));
                }

                return;
            }

            outcome.Stored();
            var stored = await FindAsync(catalog, grainKey);
            Assert.NotNull(stored);
            Assert.Equal(grainKey, stored.Path);
            Assert.Equal(kind, stored.Kind);
            Assert.Equal(path, grainKey);
            await grain.DeleteAsync();
        }, time: FuzzBudget.Seconds(inSuite: 4), threads: 1, print: t => $"key '{t.Item1}', path {(t.Item3 == 0 ? $"'{t.Item2}'" : "= key")}, {t.Item4}, {t.Item5}");

        outcome.Report(output, "raw grain creates");
    }

    private static async Task<EntityDescription?> FindAsync(IEntityCatalogGrain catalog, string path)
    {
        try
        {
            return await catalog.FindAsync(path);
        }
        catch (LoireException e) when (e.Reason == LoireErrorReason.InvalidArgument)
        {
            return null;
        }
    }
}
