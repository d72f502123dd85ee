// Lead fields for tests: a complete, qualified-looking record with overrides.
import type { LeadFields } from '../../../server/domain/lead';

export function leadFields(overrides: Partial<LeadFields> = {}): LeadFields {
  return {
    contactName: 'Jane Doe',
    title: 'VP Operations',
    email: 'jane@acme-robotics.com',
    phone: '+4930123456',
    companyName: 'Acme Robotics',
    webDomain: 'acme-robotics.com',
    website: 'https://acme-robotics.com/',
    employeeCount: 250,
    country: 'DE',
    timeZone: 'Europe/Berlin',
    decisionMaker: true,
    needs: 'Shorter onboarding of new plants',
    currentSolution: 'Spreadsheets',
    competitors: ['Legacy MES'],
    budget: '€50k this year',
    productInterests: ['Scheduling'],
    demoRequested: true,
    sourceList: 'Trade fair 2026',
    notes: null,
    ...overrides,
  };
}
