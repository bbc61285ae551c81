using CsCheck;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using Xunit.Abstractions;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Properties;

/// <summary>
/// Random interleavings of send, peek-lock receive (random batch sizes, several receivers), complete, abandon and
/// lock expiry on one queue. Whatever the interleaving, the queue neither loses nor duplicates messages beyond
/// at-least-once redelivery.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PeekLockProperties(ClusterFixture fixture, ITestOutputHelper output)
{
    private const int ReceiverCount = 3;
    private static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(1);

    private enum StepKind
    {
        Send,
        Receive,
        Complete,
        Abandon,
        WaitForRedelivery,
    }

    /// <summary>One step of an interleaving; <see cref="Value"/> is the batch size, or which held message to settle.</summary>
    private sealed record Step(StepKind Kind, int Receiver, int Value)
    {
        public override string ToString() => Kind switch
        {
            StepKind.Send => $"Send({Value})",
            StepKind.Receive => $"Receive(r{Receiver}, {Value})",
            StepKind.WaitForRedelivery => $"WaitForRedelivery(r{Receiver})",
            _ => $"{Kind}(r{Receiver}, #{Value})",
        };
    }

    private static readonly Gen<Step[]> Interleavings = Gen.Frequency(
            (4, Gen.Int[1, 4].Select(n => new Step(StepKind.Send, 0, n))),
            (4, Gen.Select(Gen.Int[0, ReceiverCount - 1], Gen.Int[1, 5], (r, n) => new Step(StepKind.Receive, r, n))),
            (4, Gen.Select(Gen.Int[0, ReceiverCount - 1], Gen.Int[0, 99], (r, i) => new Step(StepKind.Complete, r, i))),
            (2, Gen.Select(Gen.Int[0, ReceiverCount - 1], Gen.Int[0, 99], (r, i) => new Step(StepKind.Abandon, r, i))),
            (1, Gen.Int[0, ReceiverCount - 1].Select(r => new Step(StepKind.WaitForRedelivery, r, 0))))
        .Array[4, 24];

    /// <summary>
    /// Every sent MessageId is completed exactly once (a completion whose lock was lost fails with MessageLockLost and
    /// does not count); no two receivers ever hold valid locks on the same message; a completed message never comes
    /// back; delivery counts count deliveries; the queue ends empty.
    /// </summary>
    [Fact]
    public async Task RandomInterleavingsNeverLoseOrDuplicateMessages()
    {
        // Bounded by time, not count: each interleaving may wait for a lock or two to run out. Four run at once, each
        // on its own queue.
        await Interleavings.SampleAsync(RunAsync, writeLine: output.WriteLine, time: 12, threads: 4,
            print: steps => string.Join(", ", steps));
    }

    private async Task RunAsync(Step[] steps)
    {
        var admin = fixture.Client.CreateAdministrationClient();
        var queue = NewQueueName("peek-lock-property");
        await admin.CreateQueueAsync(new CreateQueueOptions(queue) { LockDuration = LockDuration, MaxDeliveryCount = 1000 });
        try
        {
            var model = new Model(fixture.Client, queue);
            foreach (var step in steps)
            {
                await model.ApplyAsync(step);
            }

            await model.DrainAndCheckAsync(admin);
        }
        finally
        {
            await admin.DeleteQueueAsync(queue);
        }
    }

    /// <summary>What the test knows of the queue, checked against every answer the broker gives.</summary>
    private sealed class Model(LoireClient client, string queue)
    {
        private readonly LoireSender _sender = client.CreateSender(queue);
        private readonly LoireReceiver[] _receivers = Enumerable.Range(0, ReceiverCount).Select(_ => client.CreateReceiver(queue)).ToArray();
        private readonly List<LoireReceivedMessage>[] _held = Enumerable.Range(0, ReceiverCount).Select(_ => new List<LoireReceivedMessage>()).ToArray();
        private readonly HashSet<string> _sent = [];
        private readonly HashSet<string> _completed = [];
        private readonly Dictionary<string, int> _deliveries = [];

        // Until when the latest delivery of a message holds a valid lock (MinValue once it was settled).
        private readonly Dictionary<string, DateTimeOffset> _lockedUntil = [];
        private readonly Dictionary<string, LoireReceivedMessage> _latest = [];
        private int _nextId;

        public async Task ApplyAsync(Step step)
        {
            switch (step.Kind)
            {
                case StepKind.Send:
                    var batch = Enumerable.Range(0, step.Value).Select(_ => Message($"m{_nextId++}")).ToList();
                    await _sender.SendMessagesAsync(batch);
                    _sent.UnionWith(batch.Select(m => m.MessageId!));
                    break;
                case StepKind.Receive:
                    Record(step.Receiver, await _receivers[step.Receiver].ReceiveMessagesAsync(step.Value, TimeSpan.Zero));
                    break;
                case StepKind.Complete or StepKind.Abandon:
                    var held = _held[step.Receiver];
                    if (held.Count > 0)
                    {
                        var message = held[step.Value % held.Count];
                        held.Remove(message);
                        await SettleAsync(step.Receiver, message, step.Kind == StepKind.Complete);
                    }

                    break;
                case StepKind.WaitForRedelivery:
                    await WaitForRedeliveryAsync(step.Receiver);
                    break;
            }
        }

        /// <summary>Completes everything left (locks still held run out first), then checks the end state.</summary>
        public async Task DrainAndCheckAsync(LoireAdministrationClient admin)
        {
            var deadline = DateTimeOffset.UtcNow + Patience;
            while (!_completed.IsSupersetOf(_sent) && DateTimeOffset.UtcNow < deadline)
            {
                var received = await _receivers[0].ReceiveMessagesAsync(50, LockDuration * 1.5);
                Record(0, received);
                foreach (var message in received)
                {
                    _held[0].Remove(message);
                    await SettleAsync(0, message, complete: true);
                }
            }

            Assert.True(_completed.SetEquals(_sent),
                $"Lost: [{string.Join(", ", _sent.Except(_completed))}]; completed but never sent: [{string.Join(", ", _completed.Except(_sent))}]");

            // Deliveries still held are stale now: completing them must fail and change nothing.
            for (var r = 0; r < ReceiverCount; r++)
            {
                foreach (var stale in _held[r])
                {
                    await ThrowsLoireAsync(LoireErrorReason.MessageLockLost, () => _receivers[r].CompleteMessageAsync(stale));
                }
            }

            Assert.Empty(await _receivers[1].ReceiveMessagesAsync(10, TimeSpan.Zero));
            var properties = await admin.GetQueueRuntimePropertiesAsync(queue);
            Assert.True(properties.TotalMessageCount == 0 && properties.DeadLetterMessageCount == 0 && properties.SizeInBytes == 0, Describe(properties));
        }

        private void Record(int receiver, IReadOnlyList<LoireReceivedMessage> received)
        {
            foreach (var message in received)
            {
                var id = message.MessageId!;
                Assert.True(_sent.Contains(id), $"Received {id}, which was never sent.");
                Assert.False(_completed.Contains(id), $"{id} was delivered again after it was completed.");

                // The broker locks at "now" for exactly LockDuration, so this delivery's lock began at LockedUntil - LockDuration.
                var lockedFrom = message.LockedUntil - LockDuration;
                if (_lockedUntil.TryGetValue(id, out var previousUntil))
                {
                    Assert.True(lockedFrom >= previousUntil,
                        $"{id} was delivered to r{receiver} with a lock from {lockedFrom:O} while an earlier lock held until {previousUntil:O}.");
                }

                var deliveries = _deliveries[id] = _deliveries.GetValueOrDefault(id) + 1;
                Assert.Equal(deliveries, message.DeliveryCount);
                _lockedUntil[id] = message.LockedUntil;
                _latest[id] = message;
                _held[receiver].Add(message);
            }
        }

        private async Task SettleAsync(int receiver, LoireReceivedMessage message, bool complete)
        {
            var id = message.MessageId!;
            var issuedAt = DateTimeOffset.UtcNow;
            try
            {
                if (complete)
                {
                    await _receivers[receiver].CompleteMessageAsync(message);
                }
                else
                {
                    await _receivers[receiver].AbandonMessageAsync(message);
                }
            }
            catch (LoireException exception) when (exception.Reason == LoireErrorReason.MessageLockLost)
            {
                // Nothing else settles or renews here, so a lock is lost only by running out.
                var now = DateTimeOffset.UtcNow;
                Assert.True(now >= message.LockedUntil,
                    $"Settling {id} (delivery {message.DeliveryCount}) failed with MessageLockLost at {now:O}, before its lock ran out at {message.LockedUntil:O}.");
                return;
            }

            Assert.True(issuedAt <= message.LockedUntil,
                $"Settling {id} succeeded although it was asked at {issuedAt:O}, after its lock ran out at {message.LockedUntil:O}.");
            Assert.True(ReferenceEquals(_latest[id], message), $"An outdated delivery of {id} (delivery {message.DeliveryCount}) was settled.");
            Assert.False(_completed.Contains(id), $"{id} was completed twice.");
            _lockedUntil[id] = DateTimeOffset.MinValue;
            if (complete)
            {
                _completed.Add(id);
            }
        }

        /// <summary>Lets the newest lock still held run out, and receives until that message comes back.</summary>
        private async Task WaitForRedeliveryAsync(int receiver)
        {
            var target = _held.SelectMany(h => h)
                .Where(m => ReferenceEquals(_latest[m.MessageId!], m) && _lockedUntil[m.MessageId!] == m.LockedUntil)
                .MaxBy(m => m.LockedUntil);
            if (target is null)
            {
                Record(receiver, await _receivers[receiver].ReceiveMessagesAsync(5, TimeSpan.Zero));
                return;
            }

            var deadline = target.LockedUntil + Patience;
            while (ReferenceEquals(_latest[target.MessageId!], target))
            {
                var remaining = deadline - DateTimeOffset.UtcNow;
                Assert.True(remaining > TimeSpan.Zero, $"{target.MessageId} was not delivered again after its lock ran out at {target.LockedUntil:O}.");
                Record(receiver, await _receivers[receiver].ReceiveMessagesAsync(5, remaining));
            }
        }
    }
}
