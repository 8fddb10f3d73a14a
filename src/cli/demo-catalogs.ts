import type { INestApplicationContext } from '@nestjs/common';
import { TransactionContext } from '../infrastructure/database/transaction-context.js';
import { CatalogsService } from '../modules/catalogs/catalogs.service.js';
import { MappingImportService } from '../modules/catalogs/mapping-import.service.js';
import gdpr from './demo/gdpr.catalog.json';
import hipaa from './demo/hipaa.catalog.json';
import iso27001 from './demo/iso27001.catalog.json';
import mappings from './demo/mappings.json';
import pciDss from './demo/pci-dss.catalog.json';
import soc2 from './demo/soc2.catalog.json';

/**
 * Small OSCAL catalogs of the demo frameworks, written for the demo in our own words (each says so
 * in its metadata: not the official text), and mappings between them. Their labels are the control
 * ids of the demo records (`demo-data.ts`), which must exist once their framework has a catalog.
 */
export const DEMO_CATALOGS: Readonly<Record<string, unknown>> = {
  GDPR: gdpr,
  SOC2: soc2,
  HIPAA: hipaa,
  ISO27001: iso27001,
  'PCI-DSS': pciDss,
};
export const DEMO_MAPPINGS: unknown = mappings;

/** Imports (idempotently) the demo catalogs and their mappings, all in one transaction; says what it did. */
export function seedDemoCatalogs(app: INestApplicationContext): Promise<string> {
  const catalogs = app.get(CatalogsService);
  const mappingImport = app.get(MappingImportService);
  return app.get(TransactionContext).run(async () => {
    let controls = 0;
    for (const [framework, document] of Object.entries(DEMO_CATALOGS)) {
      controls += (await catalogs.import(framework, document)).controls;
    }
    const { mappings: edges } = await mappingImport.fromJson(DEMO_MAPPINGS);
    return `${Object.keys(DEMO_CATALOGS).length} illustrative catalogs (${controls} controls, ${edges} mappings)`;
  });
}
