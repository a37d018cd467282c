// The ledger's problems (DESIGN §7): recorded once per kind and subject, listed, cleared.
import { odata } from '@azure/data-tables';
import type { Ledger, RecordedProblem } from '../ports';
import { storageStatus } from '../storage/classifyStorageError';
import type { LedgerAccess } from './ledgerAccess';
import { PROBLEM_PARTITION, PROBLEM_ROW_KEY_END } from './ledgerKeys';
import { toRecordedProblem } from './problemEntity';
import { recordProblem } from './recordProblem';

export type LedgerProblems = Pick<Ledger, 'recordProblem' | 'clearProblems' | 'listProblems'>;

export function createLedgerProblems({ table, log, guarded, reading }: LedgerAccess): LedgerProblems {
  return {
    recordProblem: (problem) => guarded('ledger problem record', () => recordProblem(table, problem)),

    clearProblems: () =>
      guarded('ledger problem clear', async () => {
        let cleared = 0;
        // Problem rows and their open-problem markers share the partition: both go.
        const filter = odata`PartitionKey eq ${PROBLEM_PARTITION}`;
        for await (const entity of table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['RowKey'] } })) {
          if (typeof entity.rowKey !== 'string') continue;
          try {
            await table.deleteEntity(PROBLEM_PARTITION, entity.rowKey);
          } catch (error) {
            if (storageStatus(error) !== 404) throw error;
          }
          if (entity.rowKey < PROBLEM_ROW_KEY_END) cleared += 1;
        }
        log.info('LedgerProblemsCleared', { cleared });
        return cleared;
      }),

    listProblems: () =>
      reading('ledger problem list', [], async () => {
        const problems: RecordedProblem[] = [];
        const filter = odata`PartitionKey eq ${PROBLEM_PARTITION} and RowKey lt ${PROBLEM_ROW_KEY_END}`;
        for await (const entity of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
          problems.push(toRecordedProblem(entity));
        }
        return problems.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || Date.parse(b.firstSeenAt) - Date.parse(a.firstSeenAt));
      }),
  };
}
